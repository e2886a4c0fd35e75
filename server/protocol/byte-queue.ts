// The bytes received on a socket and not yet consumed, kept as a list of chunks so that a large message arriving in
// many small chunks is copied once (when it is complete), not once per chunk.

export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // bytes already consumed from chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Reads a big-endian int32 at `offset` from the front without consuming; the caller checks the length first. */
  peekInt32(offset: number): number {
    return this.peek(offset + 4).readInt32BE(offset);
  }

  peekByte(offset: number): number {
    return this.peek(offset + 1)[offset];
  }

  /** Removes and returns the first `n` bytes (n <= length). */
  take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const out = this.peek(n).subarray(0, n);
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    let left = n;
    this.total -= n;
    while (left > 0) {
      const first = this.chunks[0];
      const avail = first.length - this.head;
      if (avail > left) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** A buffer holding at least the first `n` bytes; merges chunks only when the first one is too short. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.head >= n) return first.subarray(this.head);
    const merged = Buffer.concat([first.subarray(this.head), ...this.chunks.slice(1)], this.total);
    this.chunks = [merged];
    this.head = 0;
    return merged;
  }
}
