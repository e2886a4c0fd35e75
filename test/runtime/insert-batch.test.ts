// The columnar ingest path: runtime.writes.insertBatch appends an Arrow batch as one durable log entry, with _arrival
// added, and refuses batches of the wrong shape or with NULLs in NOT NULL columns before writing anything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Store } from '../../storage';
import { Runtime } from '../../engine/runtime/runtime';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { decodeChangeBatch } from '../../engine/codecs/change-batch';
import { T, type Field } from '../../engine/types';
import type { StreamDef, RelationDef } from '../../engine/catalog';
import { silentLogger } from '../../server/log';

const columns: Field[] = [
  { name: 'id', type: T.int8, nullable: false },
  { name: 'name', type: T.text, nullable: true },
  { name: 'ts', type: T.timestamptz, nullable: false },
];
const def: StreamDef = {
  kind: 'stream', name: 'events', columns, watermark: null, options: {}, definition: 'CREATE STREAM events ...',
  createdAt: new Date().toISOString(),
};

test('insertBatch appends one entry with _arrival; a wrong batch writes nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-batch-'));
  const store = await Store.open<RelationDef>(dir);
  const rt = await Runtime.open(store, silentLogger);
  try {
    await rt.create(def);
    const before = BigInt(Date.now()) * 1000n;
    const rows = [[9007199254740993n, 'a', 1_700_000_000_000_000n], [2n, null, 1_700_000_000_000_001n]];
    assert.equal(await rt.writes.insertBatch('events', batchFromRows(columns, rows)), 2);
    const id = store.getDef('events')!.id;
    const entries = [];
    for await (const e of store.readLog(id, 0n)) entries.push(e);
    assert.equal(entries.length, 1);
    const stored = rowsFromBatch(decodeChangeBatch(entries[0].bytes).data, [...columns, { name: '_arrival', type: T.timestamptz, nullable: false }]);
    assert.deepEqual(stored.map((r) => r.slice(0, 3)), rows);
    assert.ok((stored[0][3] as bigint) >= before, 'the arrival time is the insert time');

    const wrongType = batchFromRows([columns[0], { ...columns[1], type: T.int4 }, columns[2]], [[1n, 5, 1n]]);
    await assert.rejects(rt.writes.insertBatch('events', wrongType), (e: { code?: string }) => e.code === '42804');
    const nullId = batchFromRows([{ ...columns[0], nullable: true }, columns[1], columns[2]], [[null, 'x', 1n]]);
    await assert.rejects(rt.writes.insertBatch('events', nullId), (e: { code?: string }) => e.code === '23502');
    assert.equal(store.lastSeq(id), 1n, 'the refused batches wrote nothing');
  } finally {
    await rt.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('insertBatch refuses a string longer than its varchar(n), counting characters, not bytes', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-batch-'));
  const store = await Store.open<RelationDef>(dir);
  const rt = await Runtime.open(store, silentLogger);
  try {
    const codes: Field[] = [{ name: 'code', type: { name: 'varchar', length: 3 }, nullable: true }];
    await rt.create({ ...def, name: 'codes', columns: codes });
    const id = store.getDef('codes')!.id;
    // Three characters in five bytes, and a NULL: both fit.
    assert.equal(await rt.writes.insertBatch('codes', batchFromRows(codes, [['héé'], [null], ['ab']])), 3);
    await assert.rejects(rt.writes.insertBatch('codes', batchFromRows(codes, [['abc'], ['abcd']])), (e: { code?: string; message?: string }) =>
      e.code === '22001' && e.message === 'value too long for type character varying(3)');
    await assert.rejects(rt.writes.insertBatch('codes', batchFromRows(codes, [['ééé€']])), (e: { code?: string }) => e.code === '22001');
    assert.equal(store.lastSeq(id), 1n, 'the refused batches wrote nothing');
  } finally {
    await rt.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
