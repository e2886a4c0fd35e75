// Staged log entries (storage/staging.ts): chunks written before their entry exists, invisible until one commit
// makes them the next entry, read back in order; discarded, trimmed and crash-orphaned chunks leave no key behind.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store, type LogEntry } from '../../storage';
import type { RelationDef } from '../../engine/catalog';
import { countStagedKeys } from '../helpers/staged-keys';
import { batchOf, ks, rowsBytes, streamDef, tempDir } from './helpers/batches';

async function collect(it: AsyncIterable<LogEntry>): Promise<{ seq: bigint; part: number; ks: bigint[] }[]> {
  const out: { seq: bigint; part: number; ks: bigint[] }[] = [];
  for await (const e of it) out.push({ seq: e.seq, part: e.part, ks: ks(batchOf(e)) });
  return out;
}

test('staged chunks are invisible until the commit, then one entry read back as its chunks in order', async (t) => {
  const { dir, cleanup } = tempDir('staging');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('s'));
  await store.appendToLog(s, rowsBytes([1n]));
  const staged = store.stageLogEntry(s);
  await staged.add(rowsBytes([10n, 11n]));
  await staged.add(rowsBytes([12n]));
  // An append made while the COPY streams in takes the next seq; the staged entry comes after it.
  await store.appendToLog(s, rowsBytes([2n]));
  await staged.add(rowsBytes([13n, 14n]));
  assert.equal(store.lastSeq(s), 2n, 'staging moves no log end');
  assert.deepEqual((await collect(store.readLog(s, 0n))).map((e) => e.ks), [[1n], [2n]]);

  const seen: bigint[] = [];
  store.onLogAppend((id, seq) => seen.push(seq));
  assert.equal(await staged.commit(), 3n);
  assert.deepEqual(seen, [3n], 'listeners hear of the staged entry once, when it is durable');
  await store.appendToLog(s, rowsBytes([4n]));
  const expected = [
    { seq: 1n, part: 0, ks: [1n] }, { seq: 2n, part: 0, ks: [2n] },
    { seq: 3n, part: 0, ks: [10n, 11n] }, { seq: 3n, part: 1, ks: [12n] }, { seq: 3n, part: 2, ks: [13n, 14n] },
    { seq: 4n, part: 0, ks: [4n] },
  ];
  assert.deepEqual(await collect(store.readLog(s, 0n)), expected);
  assert.deepEqual(await collect(store.readLog(s, 2n, 3n)), expected.slice(2, 5), 'a range holds the whole entry');
  await store.close();

  store = await Store.open<RelationDef>(dir);
  assert.deepEqual(await collect(store.readLog(s, 0n)), expected, 'committed staging survives a restart');
  await store.close();
  assert.equal(await countStagedKeys(dir), 4, 'three chunks and one commit mark');
});

test('a discarded stage leaves no key, and commit after discard is refused', async (t) => {
  const { dir, cleanup } = tempDir('staging-discard');
  t.after(cleanup);
  const store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('s'));
  const staged = store.stageLogEntry(s);
  for (let i = 0n; i < 5n; i++) await staged.add(rowsBytes([i]));
  await staged.discard();
  await assert.rejects(staged.commit(), /cannot commit/);
  assert.equal(store.lastSeq(s), 0n);
  assert.deepEqual(await collect(store.readLog(s, 0n)), []);
  await store.close();
  assert.equal(await countStagedKeys(dir), 0);
});

test('a discard that close() overtakes still finishes before the store closes', async (t) => {
  const { dir, cleanup } = tempDir('staging-close');
  t.after(cleanup);
  const store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('s'));
  const staged = store.stageLogEntry(s);
  await staged.add(rowsBytes([1n]));
  void staged.discard(); // as a client gone mid-COPY does: nobody waits for it
  await store.close();
  assert.equal(await countStagedKeys(dir), 0);
});

test('trimming a staged entry deletes its chunks; trimming before it keeps them', async (t) => {
  const { dir, cleanup } = tempDir('staging-trim');
  t.after(cleanup);
  const store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('s'));
  await store.appendToLog(s, rowsBytes([1n]));
  const staged = store.stageLogEntry(s);
  await staged.add(rowsBytes([10n]));
  await staged.add(rowsBytes([11n]));
  await staged.commit();
  await store.appendToLog(s, rowsBytes([3n]));

  await store.trimLog(s, 1n);
  assert.deepEqual((await collect(store.readLog(s, 0n))).map((e) => e.ks), [[10n], [11n], [3n]]);
  await store.trimLog(s, 2n);
  assert.deepEqual((await collect(store.readLog(s, 0n))).map((e) => e.ks), [[3n]]);
  await store.close();
  assert.equal(await countStagedKeys(dir), 0);
});

test('the next open deletes staging a crash left: chunks never committed, and chunks of a trimmed entry', async (t) => {
  const { dir, cleanup } = tempDir('staging-orphans');
  t.after(cleanup);
  let store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('s'));
  const kept = store.stageLogEntry(s);
  await kept.add(rowsBytes([1n]));
  await kept.commit();
  const abandoned = store.stageLogEntry(s);
  await abandoned.add(rowsBytes([7n]));
  await abandoned.add(rowsBytes([8n]));
  // Closing without commit or discard leaves what a killed server leaves: chunks no entry references.
  await store.close();
  assert.equal(await countStagedKeys(dir), 4, 'the committed stage (mark + chunk) and two orphans');

  const lines: string[] = [];
  store = await Store.open<RelationDef>(dir, (m) => lines.push(m));
  assert.ok(lines.some((l) => /removed 2 staged chunks/.test(l)), lines.join('\n'));
  assert.deepEqual((await collect(store.readLog(s, 0n))).map((e) => e.ks), [[1n]]);
  // A new stage after the restart must not reuse the committed stage's id.
  const next = store.stageLogEntry(s);
  await next.add(rowsBytes([2n]));
  await next.commit();
  assert.deepEqual((await collect(store.readLog(s, 0n))).map((e) => e.ks), [[1n], [2n]]);
  await store.close();
  assert.equal(await countStagedKeys(dir), 4);
});

test('dropping a relation purges its staged entries', async (t) => {
  const { dir, cleanup } = tempDir('staging-drop');
  t.after(cleanup);
  const store = await Store.open<RelationDef>(dir);
  const s = await store.putDef(streamDef('s'));
  const staged = store.stageLogEntry(s);
  await staged.add(rowsBytes([1n]));
  await staged.commit();
  await store.changeCatalog({ delete: ['s'] });
  await store.close();
  assert.equal(await countStagedKeys(dir), 0);
});
