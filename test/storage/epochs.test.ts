import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECKPOINTS_KEPT, StorageError, Store } from '../../storage';
import { batchOf, ks, queryDef, rowsBytes, streamDef, tempDir } from './helpers/batches';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

test('an epoch commit round-trips state, results, offsets and checkpoints across a restart', async (t) => {
  const { dir, cleanup } = tempDir('epoch');
  t.after(cleanup);
  let store = await Store.open(dir);
  const s = await store.putDef(streamDef('s'));
  const q = await store.putDef(queryDef('q', 's'));
  for (let i = 0; i < 5; i++) await store.appendToLog(s, rowsBytes([BigInt(i)]));
  await assert.rejects(store.commitEpoch({
    queryId: q, epoch: 1, stateChanges: new Map(), resultChanges: null, resultRows: null, offsets: { [s]: 6n },
    checkpoint: { durationMs: 0 },
  }), /past its durable end 5/, 'consuming input that is not durable is a bug');
  assert.equal(await store.commitEpoch({
    queryId: q, epoch: 1, stateChanges: new Map([['g/a', bytes(1, 2, 3)], ['g/b', bytes(4)]]),
    resultChanges: rowsBytes([7n], undefined, [1]),
    resultRows: { puts: [{ key: bytes(1), value: bytes(10) }, { key: bytes(2), value: bytes(20) }], dels: [] },
    offsets: { [s]: 5n }, checkpoint: { durationMs: 12 },
  }), 1n);
  assert.equal(store.stateBytes(q), (5 + 3 + 3) + (5 + 3 + 1), 'keys (prefix + text) and values');
  assert.equal(await store.commitEpoch({
    queryId: q, epoch: 3, stateChanges: new Map<string, Uint8Array | null>([['g/a', null], ['g/c', bytes(9, 9)]]),
    resultChanges: null, resultRows: { puts: [{ key: bytes(2), value: bytes(21) }], dels: [bytes(1)] },
    offsets: {}, checkpoint: { durationMs: 4, offsets: { s: '5' } },
  }), null);
  assert.equal(store.stateBytes(q), (5 + 3 + 1) + (5 + 3 + 2));
  assert.equal(store.lastEpoch(q), 3);
  await store.close();

  store = await Store.open(dir);
  assert.equal(store.lastEpoch(q), 3);
  const loaded = await store.loadQuery(q);
  assert.equal(loaded.epoch, 3);
  assert.deepEqual(loaded.offsets, { [s]: 5n }, 'offsets of earlier epochs carry over');
  assert.deepEqual([...loaded.state].map(([k, v]) => [k, [...v]]), [['g/b', [4]], ['g/c', [9, 9]]]);
  assert.deepEqual(loaded.results.map((r) => [[...r.key], [...r.value]]), [[[2], [21]]]);
  assert.equal(loaded.resultSeq, 1n);
  assert.equal(store.stateBytes(q), (5 + 3 + 1) + (5 + 3 + 2), 'state bytes known after load');
  const [entry] = await collect(store.readLog(q, 0n));
  assert.deepEqual(ks(batchOf(entry)), [7n]);
  const cps = await store.listCheckpoints(q);
  assert.deepEqual(cps.map((c) => [c.queryId, c.epoch, c.durationMs, c.offsets]),
    [[q, 3, 4, { s: '5' }], [q, 1, 12, { [s]: '5' }]]);
  assert.ok(cps[0].committedAt.getTime() >= cps[1].committedAt.getTime());
  await store.close();
});

test('epochs only move forward', async (t) => {
  const { dir, cleanup } = tempDir('forward');
  t.after(cleanup);
  const store = await Store.open(dir);
  const q = await store.putDef(queryDef('q', 's'));
  const commit = (epoch: number): Promise<unknown> => store.commitEpoch({
    queryId: q, epoch, stateChanges: new Map(), resultChanges: null, resultRows: null, offsets: {},
    checkpoint: { durationMs: 0 },
  });
  await commit(5);
  const internal = (e: unknown): boolean => e instanceof StorageError && e.reason === 'internal' && /move forward/.test(e.message);
  await assert.rejects(commit(5), internal);
  await assert.rejects(commit(4), internal);
  // Two commits submitted at once: the second must be newer than the first even before it is durable.
  const ahead = commit(7);
  await assert.rejects(commit(6), internal);
  await ahead;
  assert.equal(store.lastEpoch(q), 7);
  await store.close();
});

test('only the newest checkpoints are kept, across queries', async (t) => {
  const { dir, cleanup } = tempDir('checkpoints');
  t.after(cleanup);
  const store = await Store.open(dir);
  const a = await store.putDef(queryDef('a', 's'));
  const b = await store.putDef(queryDef('b', 's'));
  const commits: Promise<unknown>[] = [];
  for (let e = 1; e <= CHECKPOINTS_KEPT + 20; e++) {
    for (const q of [a, b]) {
      commits.push(store.commitEpoch({
        queryId: q, epoch: e, stateChanges: new Map(), resultChanges: null, resultRows: null, offsets: {},
        checkpoint: { durationMs: e },
      }));
    }
  }
  await Promise.all(commits);
  const ofA = await store.listCheckpoints(a, 1000);
  assert.equal(ofA.length, CHECKPOINTS_KEPT);
  assert.equal(ofA[0].epoch, CHECKPOINTS_KEPT + 20);
  assert.equal(ofA.at(-1)!.epoch, 21);
  const all = await store.listCheckpoints(undefined, 5);
  assert.equal(all.length, 5);
  assert.ok(all.every((c) => c.epoch >= CHECKPOINTS_KEPT + 18));
  await store.close();
});

test('group commit: 100 concurrent appends share far fewer than 100 writes, and each is durable', async (t) => {
  const { dir, cleanup } = tempDir('group');
  t.after(cleanup);
  let store = await Store.open(dir);
  const ids = [await store.putDef(streamDef('a')), await store.putDef(streamDef('b'))];
  const before = store.writeCount;
  const seqs = await Promise.all(Array.from({ length: 100 }, (_, i) => store.appendToLog(ids[i % 2], rowsBytes([BigInt(i)]))));
  const writes = store.writeCount - before;
  assert.ok(writes <= 5, `100 appends took ${writes} writes`);
  assert.deepEqual(seqs.filter((_, i) => i % 2 === 0), Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
  await store.close();
  store = await Store.open(dir);
  const got = (await collect(store.readLog(ids[1], 0n))).map((e) => ks(batchOf(e))[0]);
  assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => BigInt(2 * i + 1)), 'in submission order');
  await store.close();
});

test('appends arriving while a write is in flight go together in the next write', async (t) => {
  const { dir, cleanup } = tempDir('group2');
  t.after(cleanup);
  const store = await Store.open(dir);
  const id = await store.putDef(streamDef('a'));
  const before = store.writeCount;
  // A first write big enough to stay in flight for the turns below, even where an fsync costs next to nothing (with
  // one row it sometimes ended before the next turn, and each later append then had a write of its own).
  const first = store.appendToLog(id, rowsBytes([0n], ['x'.repeat(4 << 20)]));
  // Spread over several event-loop turns, as separate connections would be.
  const later: Promise<bigint>[] = [];
  for (let i = 1; i <= 30; i++) {
    await new Promise((r) => setImmediate(r));
    later.push(store.appendToLog(id, rowsBytes([BigInt(i)])));
  }
  await Promise.all([first, ...later]);
  assert.ok(store.writeCount - before < 31, `${store.writeCount - before} writes for 31 appends`);
  assert.equal(store.lastSeq(id), 31n);
  await store.close();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
