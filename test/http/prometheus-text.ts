// A strict parser of Prometheus' text exposition format (0.0.4), for the /metrics tests: every line must be a
// HELP, a TYPE or a sample of a family declared by TYPE before it; labels and values must be well formed; each
// histogram's buckets must be cumulative, end at +Inf and agree with its _count. Anything else throws.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      const [name, ...help] = line.slice(7).split(' ');
      if (!NAME.test(name)) throw new Error(`bad metric name in ${where}`);
      helps.set(name, help.join(' '));
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type, extra] = line.slice(7).split(' ');
      if (!NAME.test(name) || !TYPES.has(type) || extra !== undefined) throw new Error(`bad TYPE in ${where}`);
      if (families.has(name)) throw new Error(`a second TYPE for ${name} in ${where}`);
      families.set(name, { name, type: type as MetricType, help: helps.get(name) ?? '', samples: [] });
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, where);
    familyOf(families, sample.name, where).samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
  if (m === null) throw new Error(`not a sample: ${where}`);
  return { name: m[1], labels: m[3] === undefined ? {} : parseLabels(m[3], where), value: parseValue(m[4], where) };
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
    if (m === null || !LABEL_NAME.test(m[1])) throw new Error(`bad labels in ${where}`);
    if (Object.hasOwn(labels, m[1])) throw new Error(`label ${m[1]} twice in ${where}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string, where: string): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(value)) throw new Error(`bad value in ${where}`);
  return value;
}

/** A sample belongs to the family of its name, or for a histogram to the one its _bucket, _sum or _count extends. */
function familyOf(families: Map<string, Family>, name: string, where: string): Family {
  const direct = families.get(name);
  if (direct !== undefined && direct.type !== 'histogram') return direct;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  const histogram = base === undefined ? undefined : families.get(base);
  if (histogram?.type === 'histogram') return histogram;
  throw new Error(`a sample of no declared family: ${where}`);
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  const key = (labels: Readonly<Record<string, string>>): string =>
    JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
  for (const s of family.samples) {
    const entry = series.get(key(s.labels)) ?? { buckets: [] };
    series.set(key(s.labels), entry);
    if (s.name.endsWith('_bucket')) {
      if (s.labels.le === undefined) throw new Error(`${s.name} without le`);
      entry.buckets.push([parseValue(s.labels.le, s.name), s.value]);
    } else if (s.name.endsWith('_count')) {
      entry.count = s.value;
    }
  }
  for (const [labels, { buckets, count }] of series) {
    const where = `${family.name}${labels}`;
    if (buckets.length === 0 || buckets[buckets.length - 1][0] !== Infinity) throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i][0] > buckets[i - 1][0]) || buckets[i][1] < buckets[i - 1][1]) {
        throw new Error(`${where}: buckets not increasing and cumulative`);
      }
    }
    if (count !== buckets[buckets.length - 1][1]) throw new Error(`${where}: _count is not the +Inf bucket`);
  }
}

/** The value of the one sample of `family` with these labels; throws when there is none or more than one. */
export function sampleValue(
  families: ReadonlyMap<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}, sampleName = name,
): number {
  const family = families.get(name);
  if (family === undefined) throw new Error(`no metric ${name}`);
  const matching = family.samples.filter((s) => s.name === sampleName &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
    Object.keys(s.labels).length === Object.keys(labels).length);
  if (matching.length !== 1) throw new Error(`${matching.length} samples of ${sampleName}${JSON.stringify(labels)}`);
  return matching[0].value;
}
