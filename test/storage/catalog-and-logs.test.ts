import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClassicLevel } from 'classic-level';
import { Store, StorageError } from '../../storage';
import { logKey } from '../../storage/keys';
import { encodeTuple } from '../../engine/codecs/tuple';
import type { RelationDef } from '../../engine/catalog';
import { batchOf, ks, queryDef, rowsBytes, streamDef, tableDef, tempDir } from './helpers/batches';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('catalog definitions round-trip with stable ids across a restart', async (t) => {
  const { dir, cleanup } = tempDir('catalog');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('orders'));
  const q = await store.putDef(queryDef('totals', 'orders'));
  assert.notEqual(s, q);
  assert.equal(await store.putDef({ ...streamDef('orders'), definition: 'changed' }), s, 'replacing keeps the id');
  await store.close();

  store = await Store.open<RelationDef>(dir);
  assert.deepEqual(store.listDefs().map((d) => [d.id, d.def.name, d.def.definition]),
    [[s, 'orders', 'changed'], [q, 'totals', queryDef('totals', 'orders').definition]]);
  assert.deepEqual(store.getDef('totals')?.def, queryDef('totals', 'orders'));
  await store.close();
});

test('a dropped and re-created name gets a new id and none of the old data', async (t) => {
  const { dir, cleanup } = tempDir('drop');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const old = await store.putDef(streamDef('s'));
  await store.appendToLog(old, rowsBytes([1n, 2n]));
  const q = await store.putDef(queryDef('q', 's'));
  await store.commitEpoch({
    queryId: q, epoch: 1, stateChanges: new Map([['a', Uint8Array.of(1)]]), resultChanges: rowsBytes([9n]),
    resultRows: { puts: [{ key: Uint8Array.of(1), value: Uint8Array.of(2) }], dels: [] },
    offsets: { [old]: 1n }, checkpoint: { durationMs: 3 },
  });
  await store.changeCatalog({ delete: ['s', 'q'] });
  assert.equal(store.getDef('s'), undefined);
  const fresh = await store.putDef(streamDef('s'));
  assert.ok(fresh > q, 'ids are never reused');
  assert.equal(store.lastSeq(fresh), 0n);
  await store.close();

  store = await Store.open<RelationDef>(dir);
  assert.deepEqual(store.listDefs().map((d) => d.id), [fresh]);
  assert.equal(store.lastSeq(fresh), 0n);
  assert.deepEqual(await collect(store.readLog(old, 0n, 100n)), [], 'the old log is purged');
  assert.deepEqual(await store.listCheckpoints(), []);
  const q2 = await store.putDef(queryDef('q', 's'));
  const loaded = await store.loadQuery(q2);
  assert.equal(loaded.epoch, 0);
  assert.equal(loaded.state.size, 0);
  await store.close();
});

test('logs: append, read ranges, restart recovers sequence numbers, trim keeps the floor', async (t) => {
  const { dir, cleanup } = tempDir('logs');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const id = await store.putDef(streamDef('s'));
  const seen: bigint[] = [];
  store.onLogAppend((rel, seq) => rel === id && seen.push(seq));
  assert.equal(await store.appendToLog(id, rowsBytes([1n])), 1n);
  assert.equal(await store.appendToLog(id, rowsBytes([2n, 3n])), 2n);
  assert.equal(await store.appendToLog(id, rowsBytes([4n], undefined, [-1])), 3n);
  assert.deepEqual(seen, [1n, 2n, 3n]);
  assert.equal(store.lastSeq(id), 3n);
  const all = await collect(store.readLog(id, 0n));
  assert.deepEqual(all.map((e) => [e.seq, ks(batchOf(e))]), [[1n, [1n]], [2n, [2n, 3n]], [3n, [4n]]]);
  assert.deepEqual([...batchOf(all[2]).diffs!], [-1]);
  assert.deepEqual((await collect(store.readLog(id, 1n, 2n))).map((e) => e.seq), [2n]);
  await store.close();

  store = await Store.open<RelationDef>(dir);
  assert.equal(store.lastSeq(id), 3n);
  assert.equal(await store.appendToLog(id, rowsBytes([5n])), 4n);
  assert.equal(await store.trimLog(id, 2n), 2);
  assert.equal(store.firstSeq(id), 3n);
  assert.deepEqual((await collect(store.readLog(id, 0n))).map((e) => e.seq), [3n, 4n]);
  assert.equal(await store.trimLog(id, 100n), 2, 'trims only up to the durable end');
  await store.close();

  store = await Store.open<RelationDef>(dir);
  assert.equal(store.lastSeq(id), 4n, 'a fully trimmed log does not restart at 1');
  assert.equal(await store.appendToLog(id, rowsBytes([6n])), 5n);
  await store.close();
});

test('entries an interrupted trim left below the floor are deleted at the next open; a trim starts at its floor', async (t) => {
  const { dir, cleanup } = tempDir('logs-trim-crash');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const id = await store.putDef(streamDef('s'));
  for (const k of [1n, 2n, 3n, 4n, 5n]) await store.appendToLog(id, rowsBytes([k]));
  await store.close();

  const raw = async <T>(f: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<T>): Promise<T> => {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open({ createIfMissing: false });
    try {
      return await f(db);
    } finally {
      await db.close();
    }
  };
  const second = await raw((db) => db.get(logKey(id, 2n)));
  assert.ok(second !== undefined);
  store = await Store.open<RelationDef>(dir);
  assert.equal(await store.trimLog(id, 3n), 3);
  await store.close();
  // What a crash between the floor's write and the deletes leaves: an entry below the floor.
  await raw((db) => db.put(logKey(id, 2n), second));

  store = await Store.open<RelationDef>(dir);
  assert.equal(store.firstSeq(id), 4n);
  assert.equal(await store.trimLog(id, 4n), 1, 'the trim deletes only the entry above its floor');
  await store.close();
  assert.equal(await raw((db) => db.get(logKey(id, 2n))), undefined, 'the open deleted the leftover entry');
  assert.deepEqual(await raw(async (db) => (await db.keys({ gte: logKey(id, 0n), lte: logKey(id, 9n) }).all()).length), 1);
});

test('appending to a relation that is not in the catalog is an internal error', async (t) => {
  const { dir, cleanup } = tempDir('unknown');
  t.after(cleanup);
  const store = await Store.open<RelationDef>(dir);
  await assert.rejects(store.appendToLog(77, rowsBytes([1n])), (e: unknown) =>
    e instanceof StorageError && e.reason === 'internal');
  await store.close();
});

test('table changes update rows by key in the same write as the log entry', async (t) => {
  const { dir, cleanup } = tempDir('table');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const id = await store.putDef(tableDef('t'));
  const key = (k: bigint): Uint8Array => encodeTuple([k]);
  const row = (k: bigint, s: string): Uint8Array => encodeTuple([k, s]);
  await store.appendTableChanges(id, rowsBytes([1n, 2n, 10n]), [
    { key: key(10n), row: row(10n, 'ten') }, { key: key(2n), row: row(2n, 'two') }, { key: key(1n), row: row(1n, 'one') },
  ], []);
  await store.appendTableChanges(id, rowsBytes([2n, 2n], undefined, [-1, 1]),
    [{ key: key(2n), row: row(2n, 'TWO') }], [key(2n), key(1n)]);
  await store.close();

  store = await Store.open<RelationDef>(dir);
  const rows = await store.readTableRows(id);
  assert.deepEqual(rows.map((r) => Buffer.from(r.row).toString('hex')),
    [row(2n, 'TWO'), row(10n, 'ten')].map((r) => Buffer.from(r).toString('hex')), 'in key order, 1 deleted');
  assert.deepEqual(Buffer.from((await store.getTableRow(id, key(10n)))!), Buffer.from(row(10n, 'ten')));
  assert.equal(await store.getTableRow(id, key(1n)), undefined);
  assert.equal(store.lastSeq(id), 2n);
  await store.close();
});

test('appends to several relations go in one atomic write; an unknown relation refuses them all', async (t) => {
  const { dir, cleanup } = tempDir('atomic');
  t.after(cleanup);
  let store = await Store.open(dir);
  const stream = await store.putDef(streamDef('s'));
  const table = await store.putDef(tableDef('t'));
  const key = (k: bigint): Uint8Array => encodeTuple([k]);
  const row = (k: bigint, s: string): Uint8Array => encodeTuple([k, s]);
  const writes = store.writeCount;
  const seqs = await store.appendAtomically([
    { relationId: stream, entry: rowsBytes([1n, 2n]) },
    { relationId: table, entry: rowsBytes([7n]), rowPuts: [{ key: key(7n), row: row(7n, 'seven') }] },
    { relationId: stream, entry: rowsBytes([3n]) },
  ]);
  assert.deepEqual(seqs, [1n, 1n, 2n]);
  assert.equal(store.writeCount, writes + 1, 'one LevelDB write');

  await assert.rejects(store.appendAtomically([
    { relationId: stream, entry: rowsBytes([4n]) },
    { relationId: 77, entry: rowsBytes([5n]) },
  ]), (e: unknown) => e instanceof StorageError && e.reason === 'internal');
  assert.equal(await store.appendToLog(stream, rowsBytes([6n])), 3n, 'the refused call took no sequence number');
  await store.close();

  store = await Store.open(dir);
  assert.deepEqual((await collect(store.readLog(stream, 0n))).map((e) => ks(batchOf(e))), [[1n, 2n], [3n], [6n]]);
  assert.deepEqual((await collect(store.readLog(table, 0n))).map((e) => ks(batchOf(e))), [[7n]]);
  assert.deepEqual(Buffer.from((await store.getTableRow(table, key(7n)))!), Buffer.from(row(7n, 'seven')));
  await store.close();
});

test('source positions are merged and stored with the appends that produced them', async (t) => {
  const { dir, cleanup } = tempDir('sources');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const id = await store.putDef(streamDef('k'));
  await Promise.all([
    store.appendToLog(id, rowsBytes([1n]), { '0': '11' }),
    store.appendToLog(id, rowsBytes([2n]), { '1': '5' }),
  ]);
  await store.appendToLog(id, rowsBytes([3n]), { '0': '12' });
  assert.deepEqual(store.sourcePositions(id), { '0': '12', '1': '5' });
  await store.close();
  store = await Store.open<RelationDef>(dir);
  assert.deepEqual(store.sourcePositions(id), { '0': '12', '1': '5' });
  await store.close();
});

test('dead letters round-trip with raw bytes, newest kept by limit', async (t) => {
  const { dir, cleanup } = tempDir('dead');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const at = new Date('2026-01-01T10:00:00Z');
  await store.appendDeadLetters([
    { source: 'orders', partition: 2, offset: '17', raw: Uint8Array.of(0xff, 0, 1), reason: 'parse', error: 'bad json', at },
    { source: 'orders', partition: null, offset: null, raw: new Uint8Array(0), reason: 'late', error: 'late row', at },
  ]);
  await store.close();
  store = await Store.open<RelationDef>(dir);
  await store.appendDeadLetters([{ source: 'x', partition: null, offset: null, raw: Uint8Array.of(7), reason: 'late', error: '', at }]);
  const all = await store.listDeadLetters();
  assert.deepEqual(all.map((d) => [d.seq, d.source, d.partition, d.offset, [...d.raw], d.reason, d.error, d.at.getTime()]), [
    [1n, 'orders', 2, '17', [0xff, 0, 1], 'parse', 'bad json', at.getTime()],
    [2n, 'orders', null, null, [], 'late', 'late row', at.getTime()],
    [3n, 'x', null, null, [7], 'late', '', at.getTime()],
  ]);
  assert.deepEqual((await store.listDeadLetters(2)).map((d) => d.seq), [2n, 3n]);
  await store.close();
});
