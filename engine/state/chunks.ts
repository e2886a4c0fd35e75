// A state table written as a log of chunks instead of one state key per entry. Each epoch that changed anything
// writes one chunk holding the records it changed (an entry's new value, or its removal), in a few values of at most
// PART_RECORDS records; restore replays the chunks in epoch order, so a later record replaces an earlier one. Once
// the chunks hold more than twice the records there were at the last rewrite (overwritten records, or growth), the
// table writes everything live as one chunk and the old ones are deleted: each record is written a bounded number of
// times on average, and an epoch costs a handful of puts however many keys it touched.
//
//   name:  c<epoch>.<part>
//   value: [CHUNK_TAG][epoch uvar][1 = rewrite of everything | 0][records uvar] records...
//
// The records are the table's own encoding (engine/state/table.ts).
//
// Encoding an epoch's chunk touches every changed record (or, at a rewrite, every record): 100 K groups took ~170 ms.
// So the records come as an iterable of encoders and the write gives the event loop back between runs of
// PACE_RECORDS records (engine/slices.ts's Pacer); the chunk's bytes are the same either way.

import type { Pacer } from '../slices';
import { ByteReader, ByteWriter } from './codec';

/** State keys changed by a snapshot: new bytes, or null for a deleted key. */
export type StateDelta = Map<string, Uint8Array | null>;

/** Marks a chunk value, so that bytes of any other layout are refused instead of misread. */
const CHUNK_TAG = 2;
const PART_RECORDS = 4096;
/** Records encoded between two looks at the pacer: about a millisecond of work. */
const PACE_RECORDS = 1024;

export class ChunkLog {
  /** The names of the stored chunk values. */
  private names: string[] = [];
  /** Records in those values, and the records the last rewrite wrote. */
  private written = 0;
  private atRewrite = 0;
  /** The epoch of the last chunk written or restored: chunks are named by epoch, which only moves forward. */
  private lastEpoch = 0;
  private readonly writer = new ByteWriter(1 << 16);

  /**
   * Writes the chunk of `epoch`: everything (`all`, when a rewrite is due) or the changes (`changed`), each the
   * records' encoders in order, pacing itself with `pacer`. Resolves with the state delta (new values, deleted names).
   * Nothing may change what the iterables read until it resolves.
   */
  async write(
    epoch: number, changes: number, all: () => Iterable<Encode>, changed: () => Iterable<Encode>, pacer: Pacer,
  ): Promise<StateDelta> {
    const delta: StateDelta = new Map();
    if (changes === 0) return delta;
    if (!(epoch > this.lastEpoch)) {
      throw new Error(`engine: state written for epoch ${epoch} after epoch ${this.lastEpoch}; epochs only move forward`);
    }
    this.lastEpoch = epoch;
    const rewrite = this.written + changes > 2 * this.atRewrite + PART_RECORDS;
    const parts = new Parts(this.writer, epoch, rewrite, delta);
    if (rewrite) {
      for (const name of this.names) delta.set(name, null);
      this.names = [];
      await addAll(parts, all(), pacer);
      this.written = parts.records;
      this.atRewrite = parts.records;
    } else {
      await addAll(parts, changed(), pacer);
      this.written += parts.records;
    }
    for (const name of parts.finish()) this.names.push(name);
    return delta;
  }

  /** Replays stored chunk values in the order they were written: `records` once per value, reading all `count`. */
  restore(values: Iterable<[string, Uint8Array]>, records: (r: ByteReader, count: number) => void): void {
    const chunks: { name: string; epoch: number; rewrite: boolean; count: number; r: ByteReader }[] = [];
    for (const [name, bytes] of values) {
      const r = new ByteReader(bytes);
      if (r.u8() !== CHUNK_TAG) throw new Error(`engine: state value ${JSON.stringify(name)} is not a chunk`);
      const epoch = r.uvar();
      const rewrite = r.u8() === 1;
      chunks.push({ name, epoch, rewrite, count: r.uvar(), r });
    }
    chunks.sort((a, b) => a.epoch - b.epoch);
    let lastRewrite = -1;
    for (const c of chunks) {
      this.names.push(c.name);
      this.lastEpoch = Math.max(this.lastEpoch, c.epoch);
      this.written += c.count;
      records(c.r, c.count);
      if (c.rewrite) {
        if (c.epoch !== lastRewrite) this.atRewrite = 0;
        lastRewrite = c.epoch;
        this.atRewrite += c.count;
      }
    }
  }
}

/** Writes one record. */
export type Encode = (w: ByteWriter) => void;

async function addAll(parts: Parts, records: Iterable<Encode>, pacer: Pacer): Promise<void> {
  let sincePace = 0;
  for (const encode of records) {
    parts.add(encode);
    if (++sincePace === PACE_RECORDS) {
      sincePace = 0;
      await pacer.between();
    }
  }
}

class Parts {
  records = 0;
  private n = 0;
  private part = 0;
  private readonly names: string[] = [];

  constructor(
    private readonly w: ByteWriter, private readonly epoch: number, private readonly rewrite: boolean,
    private readonly delta: StateDelta,
  ) {}

  add(encode: Encode): void {
    if (this.n === 0) this.w.reset();
    encode(this.w);
    this.records++;
    if (++this.n === PART_RECORDS) this.flush();
  }

  private flush(): void {
    if (this.n === 0) return;
    const head = new ByteWriter(24).u8(CHUNK_TAG).uvar(this.epoch).u8(this.rewrite ? 1 : 0).uvar(this.n);
    const value = new Uint8Array(head.length + this.w.length);
    value.set(head.finish(), 0);
    value.set(this.w.finish(), head.length);
    const name = `c${this.epoch}.${this.part++}`;
    this.delta.set(name, value);
    this.names.push(name);
    this.n = 0;
  }

  finish(): string[] {
    this.flush();
    return this.names;
  }
}
