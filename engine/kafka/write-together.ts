// The batches of one Kafka fetch, written together. With partitionsConsumedConcurrently, kafkajs starts the handlers
// of all the batches of a fetch in the same turn of the event loop and fetches again only once all have returned:
// each handler prepares its batch and joins the pending write, which starts at the next setImmediate, when every
// handler of that turn has joined. A handler that joins late goes into the next write; that costs a write, never
// correctness, since each write holds its batches' positions together with their rows.

export class WriteTogether<T> {
  private pending: T[] = [];
  private write: Promise<void> | null = null;

  constructor(private readonly writeAll: (items: readonly T[]) => Promise<void>) {}

  /** Resolves when the write holding `item` is durable; rejects when it failed. */
  add(item: T): Promise<void> {
    this.pending.push(item);
    this.write ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const items = this.pending;
      this.pending = [];
      this.write = null;
      return this.writeAll(items);
    });
    return this.write;
  }
}
