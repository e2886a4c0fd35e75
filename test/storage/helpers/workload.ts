// A deterministic workload whose every durable state can be checked for internal agreement: a stream `s` receives
// batches, a query `q` consumes them one epoch at a time. After any crash, the last committed epoch's state, offsets,
// result log and materialized results must all describe the same input — that is what commit atomicity promises.
//
// Epoch e consumes the stream up to an offset and records:
//   state "total"   = number of stream rows up to the offset (u32 LE)
//   state "k{e%7}"  = e, for the latest epoch of each residue (so a lost middle batch shows)
//   result log      = one batch per epoch, its k column = [e]; so the query log's last seq equals the epoch
//   result rows     = key (e%5) → e

import * as assert from 'node:assert/strict';
import type { Store } from '../../../storage';
import { batchOf, ks, queryDef, rowsBytes, streamDef } from './batches';

export interface Ids {
  readonly stream: number;
  readonly query: number;
}

export async function ensureRelations(store: Store): Promise<Ids> {
  const stream = store.getDef('s')?.id ?? await store.putDef(streamDef('s'));
  const query = store.getDef('q')?.id ?? await store.putDef(queryDef('q', 's'));
  return { stream, query };
}

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);

/** Runs `count` epochs (forever when Infinity), each concurrent with two stream appends; calls back per epoch. */
export async function runEpochs(store: Store, ids: Ids, count: number, onEpoch?: (e: number) => void): Promise<void> {
  const loaded = await store.loadQuery(ids.query);
  let total = loaded.state.has('total') ? readU32(loaded.state.get('total')!) : 0;
  let consumed = loaded.offsets[ids.stream] ?? 0n;
  for (let n = 0, e = loaded.epoch + 1; n < count; n++, e++) {
    // Consume what is durable now, while new appends race with the commit for the same group-commit write.
    const upTo = store.lastSeq(ids.stream);
    for await (const entry of store.readLog(ids.stream, consumed, upTo)) total += batchOf(entry).data.numRows;
    consumed = upTo;
    const base = BigInt(e) * 10n;
    await Promise.all([
      store.appendToLog(ids.stream, rowsBytes([base, base + 1n])),
      store.appendToLog(ids.stream, rowsBytes([base + 2n])),
      store.commitEpoch({
        queryId: ids.query, epoch: e,
        stateChanges: new Map([['total', u32(total)], [`k${e % 7}`, u32(e)]]),
        resultChanges: rowsBytes([BigInt(e)]),
        resultRows: { puts: [{ key: Uint8Array.of(e % 5), value: u32(e) }], dels: [] },
        offsets: { [ids.stream]: consumed },
        checkpoint: { durationMs: 1 },
      }),
    ]);
    onEpoch?.(e);
  }
}

/** Asserts that everything the last committed epoch wrote is present and agrees; returns that epoch. */
export async function verifyConsistent(store: Store, ids: Ids): Promise<number> {
  const q = await store.loadQuery(ids.query);
  const E = q.epoch;
  if (E === 0) {
    assert.equal(q.state.size, 0);
    assert.equal(q.results.length, 0);
    assert.equal(store.lastSeq(ids.query), 0n);
    return 0;
  }
  const offset = q.offsets[ids.stream];
  assert.ok(offset !== undefined && offset <= store.lastSeq(ids.stream), 'offset within the stream log');
  let rows = 0;
  let expectSeq = 1n;
  for await (const entry of store.readLog(ids.stream, 0n, offset)) {
    assert.equal(entry.seq, expectSeq++);
    rows += batchOf(entry).data.numRows;
  }
  assert.equal(expectSeq - 1n, offset, 'every stream entry up to the offset is present');
  assert.equal(readU32(q.state.get('total')!), rows, 'state total matches the input the offsets cover');
  for (let r = 0; r < 7; r++) {
    const latest = latestWithResidue(E, 7, r);
    const v = q.state.get(`k${r}`);
    if (latest === 0) assert.equal(v, undefined);
    else assert.equal(readU32(v!), latest, `state k${r}`);
  }
  assert.equal(store.lastSeq(ids.query), BigInt(E), 'one result batch per epoch');
  assert.equal(q.resultSeq, BigInt(E));
  let last: bigint[] = [];
  for await (const entry of store.readLog(ids.query, BigInt(E) - 1n)) last = ks(batchOf(entry));
  assert.deepEqual(last, [BigInt(E)], 'the newest result batch is the last epoch');
  const results = new Map(q.results.map((r) => [r.key[0], readU32(r.value)]));
  for (let r = 0; r < 5; r++) {
    const latest = latestWithResidue(E, 5, r);
    assert.equal(results.get(r), latest === 0 ? undefined : latest, `result row ${r}`);
  }
  const [cp] = await store.listCheckpoints(ids.query, 1);
  assert.equal(cp.epoch, E, 'the newest checkpoint is the last epoch');
  return E;
}

function latestWithResidue(E: number, m: number, r: number): number {
  for (let e = E; e >= 1; e--) if (e % m === r) return e;
  return 0;
}
