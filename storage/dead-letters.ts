// sluice.dead_letters: records that could not be applied (bad input, late rows), kept with their raw bytes and the
// reason. Numbered by one global sequence so the view lists them in arrival order.
//
// Value layout: u32 LE header length, the header as JSON, then the raw bytes.

import { StorageError } from './errors';
import { type StoreContext, lastKey, put, scan } from './db-io';
import type { WriteOp } from './group-commit';
import { NS, deadLetterKey, namespaceRange, trailingU64 } from './keys';

export interface DeadLetter {
  /** The stream, table or query the record was meant for. */
  readonly source: string;
  /** Kafka partition, or null for INSERT / COPY / late rows. */
  readonly partition: number | null;
  /** Kafka offset (as text, it is a 64-bit number) or a row position; null when there is none. */
  readonly offset: string | null;
  readonly raw: Uint8Array;
  /** Why: 'parse', 'type', 'late', ... */
  readonly reason: string;
  /** The error message. */
  readonly error: string;
  readonly at: Date;
}

export interface StoredDeadLetter extends DeadLetter {
  readonly seq: bigint;
}

interface Header {
  source: string;
  partition: number | null;
  offset: string | null;
  reason: string;
  error: string;
  at: string;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export class DeadLetterPart {
  private assigned = 0n;
  /**
   * Dead letters written since the store opened, by source. Counted as their write is prepared: a write that then
   * fails stops the store (group-commit.ts), so every count a live store shows is of dead letters on disk.
   */
  private readonly writtenBySource = new Map<string, number>();

  constructor(private readonly ctx: StoreContext) {}

  async recover(): Promise<void> {
    const last = await lastKey(this.ctx, namespaceRange(NS.dead));
    this.assigned = last === undefined ? 0n : trailingU64(last);
  }

  prepare(entries: readonly DeadLetter[]): WriteOp[] {
    return entries.map((e) => {
      const seq = ++this.assigned;
      this.writtenBySource.set(e.source, (this.writtenBySource.get(e.source) ?? 0) + 1);
      const header: Header = {
        source: e.source, partition: e.partition, offset: e.offset, reason: e.reason, error: e.error,
        at: e.at.toISOString(),
      };
      const head = utf8.encode(JSON.stringify(header));
      const bytes = new Uint8Array(4 + head.length + e.raw.length);
      new DataView(bytes.buffer).setUint32(0, head.length, true);
      bytes.set(head, 4);
      bytes.set(e.raw, 4 + head.length);
      return put(deadLetterKey(seq), bytes);
    });
  }

  async append(entries: readonly DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ctx.writer.submit(this.prepare(entries));
  }

  /** How many dead letters `source` was given since the store opened. */
  writtenSinceOpen(source: string): number {
    return this.writtenBySource.get(source) ?? 0;
  }

  /** The newest `limit` dead letters, oldest first. */
  async list(limit: number): Promise<StoredDeadLetter[]> {
    const out: StoredDeadLetter[] = [];
    for await (const [key, bytes] of scan(this.ctx, { ...namespaceRange(NS.dead), reverse: true, limit })) {
      out.push(this.decode(key, bytes));
    }
    return out.reverse();
  }

  private decode(key: Uint8Array, bytes: Uint8Array): StoredDeadLetter {
    try {
      const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
      const h = JSON.parse(utf8Decoder.decode(bytes.subarray(4, 4 + len))) as Header;
      return {
        seq: trailingU64(key), source: h.source, partition: h.partition, offset: h.offset, reason: h.reason,
        error: h.error, at: new Date(h.at), raw: bytes.slice(4 + len),
      };
    } catch (e) {
      throw new StorageError('corrupt', `data directory ${this.ctx.dir} holds an unreadable dead letter`, e);
    }
  }
}
