// How many rows each stream took since the server started, counted where they became durable: INSERTs
// (stream-appends.ts), transaction blocks and INSERT ... SELECT (commit.ts), COPY and HTTP POSTs (staged-write.ts),
// and Kafka sources (engine/kafka/source-batch.ts). sluice.streams and /metrics both read it.
//
// Keyed by relation id, not name: a stream dropped and created again under its name starts from zero.

export class StreamRowCounts {
  private readonly counts = new Map<number, number>();

  /** `rows` of the stream `relationId` are durable in its log. */
  appended(relationId: number, rows: number): void {
    this.counts.set(relationId, (this.counts.get(relationId) ?? 0) + rows);
  }

  of(relationId: number): number {
    return this.counts.get(relationId) ?? 0;
  }
}
