// INSERTs into one stream that run at the same time share a log entry and a write (engine/runtime/stream-appends.ts):
// while one append is being written the next statements wait and then go in together, each still all or nothing;
// after a write, the next one waits (briefly) for the sessions it acknowledged to come back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Store } from '../../storage';
import type { RelationDef, StreamDef } from '../../engine/catalog';
import { Runtime } from '../../engine/runtime/runtime';
import { StreamAppends } from '../../engine/runtime/stream-appends';
import { StreamRowCounts } from '../../engine/runtime/stream-row-counts';
import { StreamWatermarks } from '../../engine/runtime/stream-watermarks';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { decodeChangeBatch } from '../../engine/codecs/change-batch';
import { T, type Field, type Value } from '../../engine/types';
import { silentLogger } from '../../server/log';

const columns: Field[] = [{ name: 'id', type: T.int8, nullable: false }, { name: 'note', type: T.text, nullable: true }];
const events: StreamDef = {
  kind: 'stream', name: 'events', columns, watermark: null, options: {}, definition: 'CREATE ...',
  createdAt: new Date().toISOString(),
};

/** The declared columns of each log entry's rows (without `_arrival`), entry by entry. */
async function logEntries(store: Store<RelationDef>, id: number): Promise<Value[][][]> {
  const entries: Value[][][] = [];
  for await (const entry of store.readLog(id, 0n)) {
    entries.push(rowsFromBatch(decodeChangeBatch(entry.bytes).data, columns).map((r) => r.slice(0, columns.length)));
  }
  return entries;
}

async function withRuntime(work: (rt: Runtime, store: Store<RelationDef>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-stream-appends-'));
  const store = await Store.open<RelationDef>(dir);
  const rt = await Runtime.open(store, silentLogger);
  try {
    await rt.create(events);
    await work(rt, store);
  } finally {
    await rt.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('INSERTs that arrive while an append is written share the next entry and write; a bad row fails only its own', async () => {
  await withRuntime(async (rt, store) => {
    const id = store.getDef('events')!.id;
    const writes = store.writeCount;
    const insert = (rows: Value[][]): Promise<number> => rt.writes.insertBatch('events', batchFromRows(columns, rows));
    const first = insert([[1n, 'alone']]);
    // One microtask: the first INSERT's write has started (it cannot be durable before the event loop turns).
    await Promise.resolve();
    const waiting = Promise.allSettled([
      insert([[2n, 'a'], [3n, 'a']]),
      insert([[4n, 'b'], [null, 'bad']]),
      insert([[5n, 'c']]),
    ]);
    assert.equal(await first, 1);
    const outcomes = await waiting;
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.code, '23502');
    assert.equal(store.writeCount, writes + 2, 'the waiting statements went in one write');
    assert.deepEqual(await logEntries(store, id), [
      [[1n, 'alone']],
      [[2n, 'a'], [3n, 'a'], [5n, 'c']],
    ], 'the first statement alone, then the two good waiting ones in one entry, in arrival order');
  });
});

test('a shared write that fails fails every statement in it, and none of their rows is in the log', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-stream-appends-fail-'));
  try {
    let id: number;
    {
      const store = await Store.open<RelationDef>(dir);
      const rt = await Runtime.open(store, silentLogger);
      await rt.create(events);
      id = store.getDef('events')!.id;
      const first = rt.writes.insertBatch('events', batchFromRows(columns, [[1n, 'durable']]));
      await new Promise(setImmediate); // the first INSERT's write is submitted
      const waiting = Promise.allSettled([2n, 3n].map((n) =>
        rt.writes.insertBatch('events', batchFromRows(columns, [[n, 'lost']]))));
      // Closing refuses every write not yet submitted: the later statements' shared one.
      const closed = store.close();
      assert.equal(await first, 1);
      const outcomes = await waiting;
      assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
      const reasons = outcomes.map((o) => (o as PromiseRejectedResult).reason);
      assert.equal(reasons[0], reasons[1], 'one failed write, one error for both statements');
      await closed;
      await rt.close();
    }
    const store = await Store.open<RelationDef>(dir);
    try {
      assert.deepEqual(await logEntries(store, id), [[[1n, 'durable']]]);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('INSERTs made in the same turn of the event loop share the first entry', async () => {
  await withRuntime(async (rt, store) => {
    const id = store.getDef('events')!.id;
    const writes = store.writeCount;
    const counts = await Promise.all([1n, 2n, 3n].map((n) => rt.writes.insertBatch('events', batchFromRows(columns, [[n, null]]))));
    assert.deepEqual(counts, [1, 1, 1]);
    assert.equal(store.writeCount, writes + 1);
    assert.deepEqual(await logEntries(store, id), [[[1n, null], [2n, null], [3n, null]]]);
  });
});

/**
 * Each session inserts `rounds` one-row statements one after another (a session has one statement in flight), and
 * between two statements waits a turn of the event loop, as a client's reply and next statement do over a socket.
 */
function sessions(insert: (session: number, round: number) => Promise<unknown>, count: number, rounds: number) {
  return Promise.all(Array.from({ length: count }, async (_, session) => {
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await new Promise(setImmediate);
      await insert(session, round);
    }
  }));
}

test('sessions acknowledged by a write are waited for, so each later write carries all of them', async () => {
  await withRuntime(async (rt, store) => {
    const id = store.getDef('events')!.id;
    const writes = store.writeCount;
    // Without the wait, the first session back would be written alone while the other three wait: 1, 3, 1, 3, ...
    await sessions((s, r) => rt.writes.insertBatch('events', batchFromRows(columns, [[BigInt(s), `round ${r}`]])), 4, 25);
    assert.equal(store.writeCount, writes + 25, 'one write per round, never two groups taking turns');
    const entries = await logEntries(store, id);
    assert.equal(entries.length, 25);
    entries.forEach((rows, round) => assert.deepEqual(rows.map((row) => row[1]), Array(4).fill(`round ${round}`)));
  });
});

/** StreamAppends on its own, over a real store, with the longest wait for recent writers a test chooses. */
async function withAppends(deadlineMs: number, work: (append: (id: bigint) => Promise<void>, store: Store<RelationDef>,
  id: number) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-stream-appends-delay-'));
  const store = await Store.open<RelationDef>(dir);
  try {
    const id = await store.putDef(events);
    const appends = new StreamAppends({
      store, target: () => ({ id, def: events, table: null }), fault: null, watermarks: new StreamWatermarks(store),
      streamRows: new StreamRowCounts(),
    },
      { minMs: deadlineMs, maxMs: deadlineMs });
    const target = { id, def: events, table: null };
    await work((n) => appends.append(target, batchFromRows(columns, [[n, null]])), store, id);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a lone session is never held back', { timeout: 30_000 }, async () => {
  // With an hour's deadline, any wait would outlast the test's timeout.
  await withAppends(3_600_000, async (append, store, id) => {
    const writes = store.writeCount;
    for (let n = 1n; n <= 20n; n++) await append(n);
    assert.equal(store.writeCount, writes + 20);
    assert.equal((await logEntries(store, id)).length, 20);
  });
});

test('a session that does not come back is waited for once, then no more', { timeout: 30_000 }, async () => {
  await withAppends(20, async (append, store, id) => {
    await Promise.all([1n, 2n, 3n].map(append)); // three recent writers in one write
    // Two of them carry on: the next write waits for the third until its deadline, the later ones only for the two.
    await sessions((s, r) => append(BigInt(10 * (r + 1) + s)), 2, 5);
    const entries = await logEntries(store, id);
    assert.deepEqual(entries.map((rows) => rows.length), [3, 2, 2, 2, 2, 2]);
  });
});
