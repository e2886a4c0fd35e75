// PostgreSQL's COPY text format: one line per row, fields separated by a delimiter (tab by default), \N for NULL,
// backslash escapes (\t \n \r \b \f \v \\, octal \NNN and hex \xHH), and a line `\.` that ends the data.

import type { Fields } from './csv';

export interface TextOptions {
  readonly delimiter: string;
  readonly nullString: string;
}

export const DEFAULT_TEXT: TextOptions = { delimiter: '\t', nullString: '\\N' };

export class CopyTextReader {
  private pending = '';
  private ended = false;

  constructor(private readonly options: TextOptions = DEFAULT_TEXT, private readonly onRecord: (f: Fields) => void) {}

  feed(text: string): void {
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.pending = this.pending.slice(nl + 1);
      this.line(line);
    }
  }

  end(): void {
    if (this.pending.length > 0) this.line(this.pending.replace(/\r$/, ''));
    this.pending = '';
  }

  private line(line: string): void {
    if (this.ended) return;
    if (line === '\\.') { this.ended = true; return; }
    this.onRecord(line.split(this.options.delimiter).map((raw) => (raw === this.options.nullString ? null : unescape(raw))));
  }
}

const SIMPLE: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

function unescape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) { out += c; continue; }
    const n = raw[++i];
    if (SIMPLE[n] !== undefined) out += SIMPLE[n];
    else if (n >= '0' && n <= '7') {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === 'x' && /^[0-9a-fA-F]/.test(raw[i + 1] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 16));
      i += m.length;
    } else out += n;
  }
  return out;
}
