// Reading back what a file sink wrote: its complete files (never a .tmp), parsed per format, each row with _diff.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

export type SinkRow = Record<string, unknown>;

/** The sink's complete files, in name (so log) order. */
export function completeFiles(dir: string, ext: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith(`.${ext}`)).sort().map((n) => join(dir, n));
}

export function temporaryFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

export function jsonRows(file: string): SinkRow[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SinkRow);
}

/** CSV as the sink writes it: a header line, no quoted newlines in these tests' values. */
export function csvRows(file: string): SinkRow[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const names = header.split(',');
  return lines.map((l) => Object.fromEntries(splitCsv(l).map((v, i) => [names[i], v])));
}

function splitCsv(line: string): (string | null)[] {
  const out: (string | null)[] = [];
  const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m !== null && m.index < line.length + 1; m = re.exec(line)) {
    out.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1] === '' ? null : m[1]);
    if (m[3] === '') break;
  }
  return out;
}

export function arrowRows(file: string): SinkRow[] {
  const table = tableFromIPC(readFileSync(file));
  const names = table.schema.fields.map((f) => f.name);
  const out: SinkRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    out.push(Object.fromEntries(names.map((n) => [n, table.getChild(n)!.get(i) as unknown])));
  }
  return out;
}
