// Reading and writing sealed values (frame.ts), with LevelDB's errors turned into StorageErrors that name the data
// directory. Everything above this file sees verified payloads only.

import { StorageError, levelErrorCodes } from './errors';
import { seal, unseal } from './frame';
import type { Db, GroupCommit, WriteOp } from './group-commit';

export type StoreLog = (message: string) => void;

/** What the parts of the store share. */
export interface StoreContext {
  readonly db: Db;
  /** The data directory, absolute, for messages. */
  readonly dir: string;
  readonly writer: GroupCommit;
  readonly log: StoreLog;
  /** True while the store closes and reopens LevelDB after a full disk (store.ts): reads fail for that reason. */
  readonly reopening: boolean;
}

export interface Range {
  readonly gt?: Uint8Array;
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly lte?: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A put of the payload made of `parts`, one after another. */
export function put(key: Uint8Array, ...parts: readonly Uint8Array[]): WriteOp {
  return { type: 'put', key, value: seal(key, ...parts) };
}

export function putJson(key: Uint8Array, value: unknown): WriteOp {
  return put(key, utf8.encode(JSON.stringify(value)));
}

export function del(key: Uint8Array): WriteOp {
  return { type: 'del', key };
}

export function readError(ctx: StoreContext, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  if (levelErrorCodes(e).includes('LEVEL_CORRUPTION')) {
    return new StorageError('corrupt', `data directory ${ctx.dir} is corrupted`, e,
      'Restore the data directory from a backup; Sluice will not serve results computed from damaged state.');
  }
  if (ctx.reopening) {
    return new StorageError('disk_full', `the store on ${ctx.dir} is reopening after the disk was full`, e,
      'Try again in a moment.');
  }
  if (levelErrorCodes(e).includes('LEVEL_DATABASE_NOT_OPEN')) {
    return new StorageError('closed', `the store on ${ctx.dir} is closed`, e);
  }
  return new StorageError('io', `reading the data directory ${ctx.dir} failed`, e);
}

export async function get(ctx: StoreContext, key: Uint8Array): Promise<Uint8Array | undefined> {
  let value: Uint8Array | undefined;
  try {
    value = await ctx.db.get(key);
  } catch (e) {
    throw readError(ctx, e);
  }
  return value === undefined ? undefined : unseal(key, value, ctx.dir);
}

export async function getJson<T>(ctx: StoreContext, key: Uint8Array): Promise<T | undefined> {
  const bytes = await get(ctx, key);
  return bytes === undefined ? undefined : parseJson<T>(ctx, key, bytes);
}

export function parseJson<T>(ctx: StoreContext, key: Uint8Array, bytes: Uint8Array): T {
  try {
    return JSON.parse(utf8Decoder.decode(bytes)) as T;
  } catch (e) {
    throw new StorageError('corrupt', `data directory ${ctx.dir} holds an unreadable record under key ` +
      Buffer.from(key.subarray(0, 24)).toString('hex'), e);
  }
}

/** Verified [key, payload] pairs of a key range, read in chunks. */
export async function* scan(ctx: StoreContext, range: Range): AsyncGenerator<[Uint8Array, Uint8Array]> {
  let it;
  try {
    it = ctx.db.iterator({ ...range, keyEncoding: 'view', valueEncoding: 'view' });
  } catch (e) {
    throw readError(ctx, e);
  }
  try {
    for (;;) {
      let entries: [Uint8Array, Uint8Array][];
      try {
        entries = await it.nextv(1000);
      } catch (e) {
        throw readError(ctx, e);
      }
      if (entries.length === 0) return;
      for (const [k, v] of entries) yield [k, unseal(k, v, ctx.dir)];
    }
  } finally {
    await it.close().catch(() => undefined);
  }
}

/** Keys only, no values read: for deleting ranges and finding the last key. */
export async function* scanKeys(ctx: StoreContext, range: Range): AsyncGenerator<Uint8Array> {
  let it;
  try {
    it = ctx.db.keys({ ...range, keyEncoding: 'view' });
  } catch (e) {
    throw readError(ctx, e);
  }
  try {
    for (;;) {
      let keys: Uint8Array[];
      try {
        keys = await it.nextv(1000);
      } catch (e) {
        throw readError(ctx, e);
      }
      if (keys.length === 0) return;
      yield* keys;
    }
  } finally {
    await it.close().catch(() => undefined);
  }
}

/** How many keys a range holds: read in large chunks and never handed out one by one, for a scan over a whole log. */
export async function countKeys(ctx: StoreContext, range: Range): Promise<number> {
  let it;
  try {
    it = ctx.db.keys({ ...range, keyEncoding: 'view' });
  } catch (e) {
    throw readError(ctx, e);
  }
  let n = 0;
  try {
    for (;;) {
      let keys: Uint8Array[];
      try {
        keys = await it.nextv(10_000);
      } catch (e) {
        throw readError(ctx, e);
      }
      if (keys.length === 0) return n;
      n += keys.length;
    }
  } finally {
    await it.close().catch(() => undefined);
  }
}

/** The last key of a range, or undefined when it is empty. */
export async function lastKey(ctx: StoreContext, range: Range): Promise<Uint8Array | undefined> {
  for await (const k of scanKeys(ctx, { ...range, reverse: true, limit: 1 })) return k;
  return undefined;
}

/** Deletes every key of a range in writes of `chunk` keys (not atomic: for data nothing can see any more). */
export async function deleteRange(ctx: StoreContext, range: Range, chunk = 10_000): Promise<number> {
  let ops: WriteOp[] = [];
  let n = 0;
  for await (const k of scanKeys(ctx, range)) {
    ops.push(del(k));
    if (ops.length >= chunk) {
      await ctx.writer.submit(ops, { sync: false });
      n += ops.length;
      ops = [];
    }
  }
  if (ops.length > 0) await ctx.writer.submit(ops, { sync: false });
  return n + ops.length;
}
