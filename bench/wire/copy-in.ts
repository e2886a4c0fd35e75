// COPY ... FROM STDIN with node-postgres, which has no COPY API of its own (pg-copy-streams is not installed): a
// "submittable" query object that node-postgres drives with the protocol messages it receives. On CopyInResponse
// it writes the body as CopyData messages and CopyDone; it settles on ReadyForQuery. Works against Sluice and
// PostgreSQL alike.

import type { Client } from 'pg';

const CHUNK = 64 * 1024;

interface Connection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyIn {
  private error: Error | null = null;
  tag = '';

  /**
   * Called once the copy settles. node-postgres wraps it when the client has a query_timeout (clearing its timer,
   * or calling it with a timeout error and replacing it), so it must be this property, called from here.
   */
  callback: (error: Error | null) => void;

  constructor(
    readonly text: string,
    private readonly body: Buffer,
    settle: (error: Error | null, tag: string) => void,
  ) {
    this.callback = (error) => settle(error, this.tag);
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    for (let at = 0; at < this.body.length; at += CHUNK) connection.sendCopyFromChunk(this.body.subarray(at, at + CHUNK));
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text: string }): void {
    this.tag = msg.text;
  }

  handleError(error: Error): void {
    this.error = error;
  }

  handleReadyForQuery(): void {
    this.callback(this.error);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY ... FROM STDIN` with `body` as the data; resolves the command tag ("COPY n"). */
export function copyFrom(client: Client, copySql: string, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const query = new CopyIn(copySql, body, (error, tag) => (error ? reject(error) : resolve(tag)));
    (client as unknown as { query(q: unknown): void }).query(query);
  });
}
