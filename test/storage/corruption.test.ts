// A damaged data directory must make open (or the first read of the damaged part) fail loudly with a StorageError,
// or recover to a consistent epoch; it must never hand back state that does not belong to one epoch.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DAMAGE_MARKER, StorageError, Store } from '../../storage';
import { batchOf, tempDir } from './helpers/batches';
import { type Ids, ensureRelations, runEpochs, verifyConsistent } from './helpers/workload';

const EPOCHS = 30;

type Outcome = { epoch: number } | { error: StorageError };

/** Opens a damaged copy and reads everything; a StorageError is a loud failure, any other error is garbage. */
async function recover(dir: string): Promise<Outcome> {
  let store: Store;
  try {
    store = await Store.open(dir);
  } catch (e) {
    if (e instanceof StorageError) return { error: e };
    throw e;
  }
  try {
    const ids: Ids = { stream: store.getDef('s')!.id, query: store.getDef('q')!.id };
    const epoch = await verifyConsistent(store, ids);
    for await (const entry of store.readLog(ids.stream, 0n)) assert.ok(batchOf(entry).data.numRows > 0);
    // Which query log entry each epoch appended (read only by SUBSCRIBE, so not by verifyConsistent).
    let epochs = 0;
    for await (const e of store.epochEntries(ids.query, 0)) assert.equal(e.epoch, ++epochs);
    await store.listDeadLetters();
    return { epoch };
  } catch (e) {
    if (e instanceof StorageError) return { error: e };
    throw e;
  } finally {
    await store.close();
  }
}

async function makeDataDir(dir: string, compact: boolean): Promise<void> {
  let store = await Store.open(dir);
  const ids = await ensureRelations(store);
  await runEpochs(store, ids, EPOCHS);
  await store.appendDeadLetters([{ source: 's', partition: 0, offset: '1', raw: Uint8Array.of(1, 2), reason: 'parse', error: 'x', at: new Date() }]);
  await store.close();
  if (compact) {
    // Reopening makes LevelDB write its recovered write-ahead log into a table (.ldb) file.
    store = await Store.open(dir);
    await store.close();
  }
}

function newest(dir: string, ext: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(ext)).sort();
  assert.ok(files.length > 0, `no ${ext} file in ${dir}`);
  return path.join(dir, files.at(-1)!);
}

function damagedCopy(src: string, into: string, name: string, ext: string, damage: (file: string) => void): string {
  const dst = path.join(into, name);
  fs.cpSync(src, dst, { recursive: true });
  damage(newest(dst, ext));
  return dst;
}

function scribble(at: number, length = 48): (file: string) => void {
  return (file) => {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    const junk = Buffer.alloc(length);
    for (let i = 0; i < length; i++) junk[i] = (i * 151 + 77) & 0xff;
    fs.writeSync(fd, junk, 0, length, Math.floor(size * at));
    fs.closeSync(fd);
  };
}

function truncate(at: number): (file: string) => void {
  return (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size * at));
}

test('damage to the write-ahead log (.log): loud failure or a consistent earlier epoch', async (t) => {
  const { dir, cleanup } = tempDir('corrupt-log');
  t.after(cleanup);
  const original = path.join(dir, 'original');
  await makeDataDir(original, false);
  let loud = 0;
  for (const at of [0.2, 0.5, 0.8]) {
    const copy = damagedCopy(original, dir, `scribble-${at}`, '.log', scribble(at));
    const outcome = await recover(copy);
    t.diagnostic(`${path.basename(copy)}: ${"error" in outcome ? outcome.error.message : `epoch ${outcome.epoch}`}`);
    if ('error' in outcome) {
      loud++;
      assert.equal(outcome.error.reason, 'corrupt', outcome.error.message);
      assert.ok(outcome.error.message.includes(copy), 'names the data directory');
      // LevelDB already dropped the bad records; the marker keeps every later start refusing too.
      assert.ok(fs.existsSync(path.join(copy, DAMAGE_MARKER)));
      await assert.rejects(Store.open(copy), (e: unknown) => e instanceof StorageError && e.reason === 'corrupt');
    } else {
      assert.ok(outcome.epoch <= EPOCHS);
    }
  }
  assert.ok(loud > 0, 'scribbling over logged commits is noticed');
  for (const at of [0.1, 0.45, 0.9, 0.999]) {
    const copy = damagedCopy(original, dir, `truncate-${at}`, '.log', truncate(at));
    const outcome = await recover(copy);
    t.diagnostic(`${path.basename(copy)}: ${"error" in outcome ? outcome.error.message : `epoch ${outcome.epoch}`}`);
    // A cut tail loses the newest writes, as a crash mid-write would; what is left must be whole.
    if ('epoch' in outcome) assert.ok(outcome.epoch < EPOCHS || at > 0.99);
    else assert.ok(['corrupt', 'io'].includes(outcome.error.reason), outcome.error.message);
  }
});

test('damage to a table file (.ldb): loud failure, never garbage', async (t) => {
  const { dir, cleanup } = tempDir('corrupt-ldb');
  t.after(cleanup);
  const original = path.join(dir, 'original');
  await makeDataDir(original, true);
  assert.deepEqual(await recover(path.join(dir, 'original')), { epoch: EPOCHS }, 'the undamaged directory is whole');
  let loud = 0;
  for (const at of [0.05, 0.25, 0.5, 0.75, 0.95]) {
    const copy = damagedCopy(original, dir, `scribble-${at}`, '.ldb', scribble(at));
    const outcome = await recover(copy);
    t.diagnostic(`${path.basename(copy)}: ${"error" in outcome ? outcome.error.message : `epoch ${outcome.epoch}`}`);
    if ('error' in outcome) {
      loud++;
      assert.ok(outcome.error.message.includes(copy), outcome.error.message);
    } else {
      assert.equal(outcome.epoch, EPOCHS, 'a read that succeeds sees the last epoch');
    }
  }
  assert.ok(loud >= 3, `only ${loud} of 5 scribbles were noticed`);
  for (const at of [0.3, 0.9]) {
    const copy = damagedCopy(original, dir, `truncate-${at}`, '.ldb', truncate(at));
    const outcome = await recover(copy);
    t.diagnostic(`${path.basename(copy)}: ${"error" in outcome ? outcome.error.message : `epoch ${outcome.epoch}`}`);
    assert.ok('error' in outcome, 'a truncated table file fails loudly');
  }
});

test('a directory with LevelDB files but no CURRENT refuses to start empty', async (t) => {
  const { dir, cleanup } = tempDir('headless');
  t.after(cleanup);
  await makeDataDir(dir, true);
  fs.rmSync(path.join(dir, 'CURRENT'));
  await assert.rejects(Store.open(dir), (e: unknown) => e instanceof StorageError && /no CURRENT file/.test(e.message));
});

test('a directory of another format version is refused', async (t) => {
  const { dir, cleanup } = tempDir('version');
  t.after(cleanup);
  // A LevelDB that is not a Sluice data directory: written without the format key.
  const { ClassicLevel } = await import('classic-level');
  const db = new ClassicLevel(dir);
  await db.put('hello', 'world');
  await db.close();
  await assert.rejects(Store.open(dir), (e: unknown) => e instanceof StorageError && e.reason === 'version');
});

test('a state key that vanished behind the store\'s back fails loadQuery instead of running on partial state', async (t) => {
  const { dir, cleanup } = tempDir('vanished');
  t.after(cleanup);
  let store = await Store.open(dir);
  const ids = await ensureRelations(store);
  await runEpochs(store, ids, 3);
  await store.close();
  // Delete state key "total" of the query directly in LevelDB: [0x03][query id u32]["total"].
  const { ClassicLevel } = await import('classic-level');
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  const key = new Uint8Array([0x03, 0, 0, 0, 0, ...Buffer.from('total')]);
  new DataView(key.buffer).setUint32(1, ids.query);
  assert.ok((await db.get(key)) !== undefined);
  await db.del(key);
  await db.close();
  store = await Store.open(dir);
  try {
    await assert.rejects(store.loadQuery(ids.query), (e: unknown) =>
      e instanceof StorageError && e.reason === 'corrupt' && /state has 3 keys, epoch recorded 4/.test(e.message));
  } finally {
    await store.close();
  }
});
