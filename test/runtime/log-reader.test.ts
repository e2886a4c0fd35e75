// The runtime's LogReader decodes each log entry once for all its readers (engine/runtime/log-reader.ts): readers of
// the same entry get the same ChangeBatch, and the decoded entries it keeps stay within its byte budget, least
// recently read out first, and each only until every reader of its relation has read it. Against a real store on
// disk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../storage';
import type { ChangeBatch } from '../../engine/batch';
import type { RelationDef } from '../../engine/catalog';
import { LogReader } from '../../engine/runtime/log-reader';
import { ks, rowsBytes, streamDef, tempDir } from '../storage/helpers/batches';

async function all(reader: LogReader, id: number, from: bigint, to: bigint): Promise<ChangeBatch[]> {
  const out: ChangeBatch[] = [];
  for await (const b of reader.changes(id, from, to)) out.push(b);
  return out;
}

async function withStore(label: string, body: (store: Store<RelationDef>) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir(label);
  const store = await Store.open<RelationDef>(dir);
  try {
    await body(store);
  } finally {
    await store.close();
    cleanup();
  }
}

test('readers of one entry share its decoded batch; other relations and entries are their own', async () => {
  await withStore('log-reader-share', async (store) => {
    const a = await store.putDef(streamDef('a'));
    const b = await store.putDef(streamDef('b'));
    await store.appendToLog(a, rowsBytes([1n, 2n]));
    await store.appendToLog(a, rowsBytes([3n]));
    await store.appendToLog(b, rowsBytes([7n]));
    const reader = new LogReader(store);

    const first = await all(reader, a, 0n, 2n);
    const second = await all(reader, a, 0n, 2n);
    assert.deepEqual(first.map(ks), [[1n, 2n], [3n]]);
    assert.equal(second.length, 2);
    assert.equal(second[0], first[0], 'the second reader gets the batch the first decoded');
    assert.equal(second[1], first[1]);
    // A reader further along reads only its part of the log, still shared.
    const later = await all(reader, a, 1n, 2n);
    assert.equal(later.length, 1);
    assert.equal(later[0], first[1]);

    // Same seq, another relation: another entry.
    const other = await all(reader, b, 0n, 1n);
    assert.deepEqual(other.map(ks), [[7n]]);
    assert.notEqual(other[0], first[0]);
  });
});

test('the decoded entries kept stay within the budget, least recently read out first', async () => {
  await withStore('log-reader-bound', async (store) => {
    const id = await store.putDef(streamDef('s'));
    const entries = [[1n], [2n], [3n]].map((k) => rowsBytes(k));
    const size = entries[0].byteLength;
    assert.ok(entries.every((e) => e.byteLength === size), 'the entries are the same size');
    for (const bytes of entries) await store.appendToLog(id, bytes);
    const reader = new LogReader(store, 2 * size);

    const [one] = await all(reader, id, 0n, 1n);
    const [two] = await all(reader, id, 1n, 2n);
    assert.equal(reader.bytesKept, 2 * size);
    assert.equal((await all(reader, id, 0n, 1n))[0], one, 'entry 1 read again: now the most recently used');
    const [three] = await all(reader, id, 2n, 3n);
    assert.deepEqual(ks(three), [3n]);
    assert.equal(reader.bytesKept, 2 * size, 'keeping entry 3 put one entry out');

    assert.equal((await all(reader, id, 0n, 1n))[0], one, 'entry 1 was read more recently than entry 2: kept');
    const twoAgain = (await all(reader, id, 1n, 2n))[0];
    assert.notEqual(twoAgain, two, 'entry 2 was put out, so it is decoded again');
    assert.deepEqual(ks(twoAgain), [2n]);
    assert.ok(reader.bytesKept <= 2 * size);
  });
});

test('an entry larger than the whole budget is decoded for its reader and not kept', async () => {
  await withStore('log-reader-large', async (store) => {
    const id = await store.putDef(streamDef('s'));
    const bytes = rowsBytes(Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    await store.appendToLog(id, bytes);
    const reader = new LogReader(store, bytes.byteLength - 1);

    const [first] = await all(reader, id, 0n, 1n);
    assert.equal(first.data.numRows, 1000);
    assert.equal(reader.bytesKept, 0);
    const [second] = await all(reader, id, 0n, 1n);
    assert.notEqual(second, first);
    assert.deepEqual(ks(second), ks(first));
  });
});

test('an entry is kept until every reader of its relation has read it: with one reader, nothing is kept', async () => {
  await withStore('log-reader-readers', async (store) => {
    const shared = await store.putDef(streamDef('shared'));
    const single = await store.putDef(streamDef('single'));
    await store.appendToLog(shared, rowsBytes([1n]));
    await store.appendToLog(single, rowsBytes([2n]));
    const readers = new Map([[shared, 2], [single, 1]]);
    const reader = new LogReader(store, 1 << 20, (id) => readers.get(id) ?? 0);

    const [first] = await all(reader, shared, 0n, 1n);
    assert.ok(reader.bytesKept > 0, 'the second reader has yet to read it');
    assert.equal((await all(reader, shared, 0n, 1n))[0], first, 'the second reader gets the same batch');
    assert.equal(reader.bytesKept, 0, 'both readers have read it: it is let go');

    const [only] = await all(reader, single, 0n, 1n);
    assert.deepEqual(ks(only), [2n]);
    assert.equal(reader.bytesKept, 0, 'its only reader has read it');
  });
});

test('a range whose entries are all kept is served from memory; one not yet read whole goes to the store', async () => {
  await withStore('log-reader-memory', async (store) => {
    const id = await store.putDef(streamDef('s'));
    await store.appendToLog(id, rowsBytes([1n]));
    await store.appendToLog(id, rowsBytes([2n]));
    const reader = new LogReader(store);

    const first = await all(reader, id, 0n, 2n);
    assert.equal(reader.storeReads, 1);
    const again = await all(reader, id, 0n, 2n);
    assert.equal(reader.storeReads, 1, 'every entry of the range is kept: no store read');
    assert.deepEqual(again, first);
    assert.deepEqual((await all(reader, id, 1n, 2n)).map(ks), [[2n]]);
    assert.equal(reader.storeReads, 1);

    await store.appendToLog(id, rowsBytes([3n]));
    const withNew = await all(reader, id, 1n, 3n);
    assert.deepEqual(withNew.map(ks), [[2n], [3n]]);
    assert.equal(reader.storeReads, 2, 'entry 3 was never read: the range comes from the store');
    assert.equal(withNew[0], first[1], 'what the store path reads again is still shared');
    assert.deepEqual((await all(reader, id, 0n, 3n)).map(ks), [[1n], [2n], [3n]]);
    assert.equal(reader.storeReads, 2);
  });
});

test('entries below the trim floor are not served from memory either', async () => {
  await withStore('log-reader-trimmed', async (store) => {
    const id = await store.putDef(streamDef('s'));
    for (const k of [1n, 2n, 3n]) await store.appendToLog(id, rowsBytes([k]));
    const reader = new LogReader(store);
    assert.deepEqual((await all(reader, id, 0n, 3n)).map(ks), [[1n], [2n], [3n]]);
    await store.trimLog(id, 2n);
    assert.deepEqual((await all(reader, id, 0n, 3n)).map(ks), [[3n]], 'as the store reads it: from the floor on');
  });
});

test('readers asking at once for a range being read wait for that read and share it', async () => {
  await withStore('log-reader-together', async (store) => {
    const id = await store.putDef(streamDef('s'));
    await store.appendToLog(id, rowsBytes([1n]));
    await store.appendToLog(id, rowsBytes([2n]));
    const reader = new LogReader(store);

    const together = await Promise.all(Array.from({ length: 20 }, () => all(reader, id, 0n, 2n)));
    assert.equal(reader.storeReads, 1, 'one store read for all twenty readers');
    for (const batches of together) {
      assert.deepEqual(batches.map(ks), [[1n], [2n]]);
      assert.equal(batches[0], together[0][0]);
    }

    // A read that does not keep its entries (larger than the budget) leaves each waiting reader to read for itself.
    const small = new LogReader(store, 1);
    const each = await Promise.all(Array.from({ length: 3 }, () => all(small, id, 0n, 2n)));
    assert.equal(small.storeReads, 3);
    for (const batches of each) assert.deepEqual(batches.map(ks), [[1n], [2n]]);
  });
});
