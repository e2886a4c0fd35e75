// The settings a StartupMessage carries: every parameter except the connection's own (user, database,
// replication, options), plus `-c name=value` / `--name=value` pairs from `options` (libpq's PGOPTIONS).

const CONNECTION_PARAMS = new Set(['user', 'database', 'replication', 'options']);

export function startupSettings(params: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of params) if (!CONNECTION_PARAMS.has(name)) out.set(name, value);
  const options = params.get('options');
  if (options !== undefined) for (const [name, value] of parseOptions(options)) out.set(name, value);
  return out;
}

/** Splits on unescaped whitespace (backslash escapes the next character), then reads -c x=y and --x=y. */
export function parseOptions(options: string): [string, string][] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i];
    if (c === '\\' && i + 1 < options.length) {
      word += options[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  const pairs: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let setting: string | undefined;
    if (words[i] === '-c') setting = words[++i];
    else if (words[i].startsWith('-c')) setting = words[i].slice(2);
    else if (words[i].startsWith('--')) setting = words[i].slice(2);
    const eq = setting?.indexOf('=') ?? -1;
    if (setting !== undefined && eq > 0) pairs.push([setting.slice(0, eq).replaceAll('-', '_'), setting.slice(eq + 1)]);
  }
  return pairs;
}
