// A subscriber speaking the COPY-out sub-protocol byte by byte (test/helpers/raw-client.ts): it sends
// `COPY (SUBSCRIBE ...) TO STDOUT`, then reads CopyData lines as they come, so a test sees exactly what the server
// sends and when, can stop reading (a slow client), cancel, half-close or drop the connection.

import { serialize } from 'pg-protocol';
import { errorFields, RawClient } from '../helpers/raw-client';

export class SubscribeError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(`${fields.C}: ${fields.M}`);
  }

  get code(): string {
    return this.fields.C;
  }
}

export class CopySubscriber {
  private constructor(readonly client: RawClient, readonly processId: number, readonly secret: number) {}

  /** Connects, sends the COPY and reads its CopyOutResponse (or throws the ErrorResponse it got instead). */
  static async start(server: { host: string; port: number }, sql: string): Promise<CopySubscriber> {
    const { client, startup } = await RawClient.session(server);
    const key = startup.find((m) => m.type === 'K')!;
    const s = new CopySubscriber(client, key.body.readInt32BE(0), key.body.readInt32BE(4));
    client.send(serialize.query(sql));
    const first = await client.readMessage(10_000);
    if (first.type === 'E') {
      await client.readUntil('Z');
      client.close();
      throw new SubscribeError(errorFields(first));
    }
    if (first.type !== 'H') throw new Error(`expected CopyOutResponse, got ${first.type}`);
    return s;
  }

  /** The next `n` lines (one CopyData each, newline removed); an ErrorResponse on the way is thrown. */
  async lines(n: number, timeoutMs = 10_000): Promise<string[]> {
    const out: string[] = [];
    while (out.length < n) out.push(await this.line(timeoutMs));
    return out;
  }

  async line(timeoutMs = 10_000): Promise<string> {
    const m = await this.client.readMessage(timeoutMs);
    if (m.type === 'E') throw new SubscribeError(errorFields(m));
    if (m.type !== 'd') throw new Error(`expected CopyData, got ${m.type}`);
    const text = m.body.toString('utf8');
    if (!text.endsWith('\n')) throw new Error(`a CopyData line without its newline: ${JSON.stringify(text)}`);
    return text.slice(0, -1);
  }

  /** Sends a CancelRequest for this session on a connection of its own. */
  async cancel(server: { host: string; port: number }): Promise<void> {
    const c = await RawClient.connect(server);
    c.send(serialize.cancel(this.processId, this.secret));
    await c.waitClosed();
  }

  close(): void {
    this.client.close();
  }
}
