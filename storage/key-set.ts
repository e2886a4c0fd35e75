// The set of keys a query owns in one namespace (its state, or its result rows), tracked in memory so every epoch
// commit can record how many keys there are and an order-independent digest of them (XOR of each full key's
// CRC-32). Loading compares the keys found on disk with that record: a key that vanished or appeared through
// damage (which per-value checksums cannot see, since the value is not read) fails the load instead of silently
// changing a result. Sizes are kept too, for sluice.queries.state_bytes.

import { crc32 } from 'node:zlib';

export interface KeySetSummary {
  readonly count: number;
  readonly digest: number;
}

export class KeySet {
  private readonly sizes = new Map<string, number>();
  private digestValue = 0;
  private byteTotal = 0;

  /** `id` names the key in memory; `fullKey` is its LevelDB key. size null deletes. */
  apply(id: string, fullKey: Uint8Array, size: number | null): void {
    const old = this.sizes.get(id);
    if (old !== undefined) this.byteTotal -= old;
    if (size === null) {
      if (old === undefined) return;
      this.sizes.delete(id);
      this.digestValue = (this.digestValue ^ crc32(fullKey)) >>> 0;
      return;
    }
    if (old === undefined) this.digestValue = (this.digestValue ^ crc32(fullKey)) >>> 0;
    this.sizes.set(id, size);
    this.byteTotal += size;
  }

  summary(): KeySetSummary {
    return { count: this.sizes.size, digest: this.digestValue };
  }

  get bytes(): number {
    return this.byteTotal;
  }
}

/** Result keys are bytes; as map keys they go through latin1, one char per byte. */
export function bytesId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}
