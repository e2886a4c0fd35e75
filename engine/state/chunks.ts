// Operator state written as a log of chunks instead of one state key per entry. Each epoch that changed anything
// writes one chunk holding the records it changed (an entry's new value, or its removal), in a few values of at most
// PART_RECORDS records; restore replays the chunks in order, so a later record replaces an earlier one. Once the
// chunks hold more than twice the records there were at the last rewrite (overwritten records, or growth), the
// operator writes everything live as one chunk and the old ones are deleted: each record is written a bounded
// number of times on average, and an epoch costs a handful of puts however many keys it touched.
//
//   value: [CHUNK_TAG][chunk uvar][1 = rewrite of everything | 0][records uvar] records...
//
// The records are the operator's own encoding. A value that does not start with CHUNK_TAG is the operator's state
// of the earlier layout (one key per entry): it replays before every chunk and is deleted at the first rewrite.

import { ByteReader, ByteWriter } from './codec';
import type { StateDelta } from '../operators/operator';

export const CHUNK_TAG = 2;
const PART_RECORDS = 4096;

export class ChunkLog {
  /** The state keys holding chunks (and values of the earlier layout). */
  private names: string[] = [];
  /** Records in those values, and the records the last rewrite wrote. */
  private written = 0;
  private atRewrite = 0;
  private next = 0;
  private readonly writer = new ByteWriter(1 << 16);

  /**
   * Writes one chunk: everything (`all`, when a rewrite is due) or the changes (`changed`). Each callback writes
   * its records with `add`, which takes the record's encoder. Returns the state delta (new values, deleted keys).
   */
  write(changes: number, all: (add: Add) => void, changed: (add: Add) => void): StateDelta {
    const delta: StateDelta = new Map();
    if (changes === 0) return delta;
    const chunk = this.next++;
    const rewrite = this.written + changes > 2 * this.atRewrite + PART_RECORDS;
    const parts = new Parts(this.writer, chunk, rewrite, delta);
    if (rewrite) {
      for (const name of this.names) delta.set(name, null);
      this.names = [];
      all(parts.add);
      this.written = parts.records;
      this.atRewrite = parts.records;
    } else {
      changed(parts.add);
      this.written += parts.records;
    }
    this.names.push(...parts.finish());
    return delta;
  }

  /**
   * Replays stored values in the order they were written: `legacy` for values of the earlier layout (first), then
   * `records` once per chunk value, which must read all its `count` records.
   */
  restore(
    entries: Iterable<[string, Uint8Array]>, legacy: (name: string, bytes: Uint8Array) => void,
    records: (r: ByteReader, count: number) => void,
  ): void {
    const values: { name: string; chunk: number; rewrite: boolean; count: number; r: ByteReader | null; bytes: Uint8Array }[] = [];
    for (const [name, bytes] of entries) {
      if (bytes[0] !== CHUNK_TAG) {
        values.push({ name, chunk: -1, rewrite: false, count: 1, r: null, bytes });
        continue;
      }
      const r = new ByteReader(bytes);
      r.u8();
      const chunk = r.uvar();
      const rewrite = r.u8() === 1;
      values.push({ name, chunk, rewrite, count: r.uvar(), r, bytes });
    }
    values.sort((a, b) => a.chunk - b.chunk);
    let lastRewrite = -1;
    for (const v of values) {
      this.names.push(v.name);
      this.next = Math.max(this.next, v.chunk + 1);
      this.written += v.count;
      if (v.r === null) {
        legacy(v.name, v.bytes);
        continue;
      }
      records(v.r, v.count);
      if (v.rewrite) {
        if (v.chunk !== lastRewrite) this.atRewrite = 0;
        lastRewrite = v.chunk;
        this.atRewrite += v.count;
      }
    }
  }
}

export type Add = (encode: (w: ByteWriter) => void) => void;

class Parts {
  records = 0;
  private n = 0;
  private part = 0;
  private readonly names: string[] = [];

  constructor(
    private readonly w: ByteWriter, private readonly chunk: number, private readonly rewrite: boolean,
    private readonly delta: StateDelta,
  ) {}

  readonly add: Add = (encode) => {
    if (this.n === 0) this.w.reset();
    encode(this.w);
    this.records++;
    if (++this.n === PART_RECORDS) this.flush();
  };

  private flush(): void {
    if (this.n === 0) return;
    const head = new ByteWriter(24).u8(CHUNK_TAG).uvar(this.chunk).u8(this.rewrite ? 1 : 0).uvar(this.n);
    const value = new Uint8Array(head.length + this.w.length);
    value.set(head.finish(), 0);
    value.set(this.w.finish(), head.length);
    const name = `c${this.chunk}.${this.part++}`;
    this.delta.set(name, value);
    this.names.push(name);
    this.n = 0;
  }

  finish(): string[] {
    this.flush();
    return this.names;
  }
}
