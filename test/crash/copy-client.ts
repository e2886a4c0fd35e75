// COPY ... FROM STDIN through node-postgres' low-level connection: a Submittable that sends the data in chunks,
// optionally pausing between them, so a crash test can kill the server in the middle of a COPY, right after the
// client sent CopyDone, or right when the acknowledgement (CommandComplete) arrives.

import type { Client, Connection, Submittable } from 'pg';

interface CopyConnection extends Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

export interface CopyProgress {
  /** The server asked for data (CopyInResponse). */
  started: boolean;
  /** Chunks sent so far. */
  chunksSent: number;
  /** CopyDone was sent: from here on the server may apply the rows. */
  doneSent: boolean;
}

export interface CopyOptions {
  /** Waits between chunks (and before CopyDone); resolves false to stop sending (the connection is going away). */
  readonly pause?: () => Promise<boolean>;
  /** Called after each chunk is sent, while the COPY is still open. */
  readonly onChunk?: (progress: CopyProgress) => void;
  /** Called right after CopyDone went out, before any reply. */
  readonly onDone?: () => void;
  /** Called synchronously when CommandComplete arrives: the COPY is acknowledged. */
  readonly onAck?: (rows: number) => void;
}

/** Runs `sql` (a COPY ... FROM STDIN) sending `chunks`; resolves the row count of the server's `COPY n` reply. */
export function copyFrom(client: Client, sql: string, chunks: readonly Buffer[], opts: CopyOptions = {}):
  { done: Promise<number>; progress: CopyProgress } {
  const progress: CopyProgress = { started: false, chunksSent: 0, doneSent: false };
  let settled = false;
  let failed = false;
  let count: number | null = null;
  let resolve!: (n: number) => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // node-postgres wraps `callback` (with query_timeout, to clear its timer): call it once the COPY is over
  const finish = (e: unknown): void => {
    const callback = submittable.callback;
    if (typeof callback === 'function') (callback as (e: unknown) => void)(e);
  };
  const fail = (e: unknown): void => {
    failed = true;
    if (settled) return;
    settled = true;
    finish(e);
    reject(e);
  };

  const submittable: Submittable & Record<string, unknown> = {
    submit(connection: Connection): void {
      connection.query(sql);
    },
    handleCopyInResponse(connection: CopyConnection): void {
      progress.started = true;
      void (async () => {
        for (const chunk of chunks) {
          if (failed) return;
          connection.sendCopyFromChunk(chunk);
          progress.chunksSent++;
          opts.onChunk?.(progress);
          if (opts.pause && !(await opts.pause())) return;
          if (failed) return;
        }
        connection.endCopyFrom();
        progress.doneSent = true;
        opts.onDone?.();
      })().catch(fail);
    },
    handleCommandComplete(msg: { text?: string }): void {
      const m = /^COPY (\d+)$/.exec(msg.text ?? '');
      count = m ? Number(m[1]) : -1;
      if (!settled) {
        settled = true;
        opts.onAck?.(count);
        finish(null);
        resolve(count);
      }
    },
    handleReadyForQuery(): void {
      if (count === null) fail(new Error(`COPY ended without CommandComplete: ${sql}`));
    },
    handleError(err: unknown): void {
      fail(err);
    },
    handleRowDescription(): void {
      fail(new Error('unexpected RowDescription during COPY'));
    },
    handleDataRow(): void {},
    handleEmptyQuery(): void {
      fail(new Error('empty query'));
    },
    handleCopyData(): void {},
    handlePortalSuspended(): void {},
  };
  client.query(submittable);
  return { done, progress };
}
