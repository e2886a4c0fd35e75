// Small change batches for storage tests: a BIGINT column, a TEXT column and a TIMESTAMPTZ column.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Int64, RecordBatch, Table, TimestampMicrosecond, Utf8, makeData, makeVector, vectorFromArray } from 'apache-arrow';
import type { ChangeBatch } from '../../../engine/batch';
import { decodeChangeBatch, encodeChangeBatch } from '../../../engine/codecs/change-batch';
import type { RelationDef } from '../../../engine/catalog';
import { T } from '../../../engine/types';

export function rowsBatch(ks: readonly bigint[], texts?: readonly (string | null)[], diffs?: readonly number[]): ChangeBatch {
  const table = new Table({
    k: vectorFromArray(ks, new Int64()),
    s: vectorFromArray(texts ?? ks.map((k) => `row ${k}`), new Utf8()),
    // Arrow's builders take milliseconds for timestamps; microseconds go in as raw values.
    ts: makeVector(makeData({
      type: new TimestampMicrosecond(), length: ks.length,
      data: BigInt64Array.from(ks, (k) => 1_700_000_000_000_000n + k),
    })),
  });
  const data: RecordBatch = table.batches[0];
  return { data, diffs: diffs === undefined ? null : Int32Array.from(diffs) };
}

/** rowsBatch as the bytes storage keeps (the engine's encoding). */
export function rowsBytes(ks: readonly bigint[], texts?: readonly (string | null)[], diffs?: readonly number[]): Uint8Array {
  return encodeChangeBatch(rowsBatch(ks, texts, diffs));
}

/** The change batch a log entry holds. */
export function batchOf(entry: { readonly bytes: Uint8Array }): ChangeBatch {
  return decodeChangeBatch(entry.bytes);
}

/** The raw microseconds of the ts column at a row. */
export function tsMicros(b: ChangeBatch, row: number): bigint {
  return (b.data.getChild('ts')!.data[0].values as BigInt64Array)[row];
}

/** The k column of a batch, as bigints. */
export function ks(b: ChangeBatch): bigint[] {
  const col = b.data.getChild('k')!;
  const out: bigint[] = [];
  for (let i = 0; i < b.data.numRows; i++) out.push(col.get(i) as bigint);
  return out;
}

export function streamDef(name: string): RelationDef {
  return {
    kind: 'stream', name, definition: `CREATE STREAM ${name} (k BIGINT)`, createdAt: new Date(0).toISOString(),
    options: {}, columns: [{ name: 'k', type: T.int8, nullable: false }], watermark: null,
  };
}

export function tableDef(name: string): RelationDef {
  return {
    kind: 'table', name, definition: `CREATE TABLE ${name} (k BIGINT PRIMARY KEY, s TEXT)`,
    createdAt: new Date(0).toISOString(), options: {},
    columns: [{ name: 'k', type: T.int8, nullable: false }, { name: 's', type: T.text, nullable: true }],
    primaryKey: ['k'],
  };
}

export function queryDef(name: string, from: string): RelationDef {
  return {
    kind: 'query', name, definition: `CREATE CONTINUOUS QUERY ${name} AS SELECT count(*) FROM ${from}`,
    createdAt: new Date(0).toISOString(), options: {}, columns: [{ name: 'count', type: T.int8, nullable: false }],
    select: `SELECT count(*) FROM ${from}`, emit: 'changes', triggerIntervalMs: 1000, dependsOn: [from],
    materializedView: false,
  };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-${label}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Compiled helper scripts live next to this file in dist/. */
export function helperScript(name: string): string {
  return path.join(__dirname, name);
}
