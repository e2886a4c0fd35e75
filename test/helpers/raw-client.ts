// A byte-level PostgreSQL client for protocol tests: send any bytes, read framed backend messages with a timeout,
// and see when the server closes the connection. Frontend messages can be built with pg-protocol's `serialize`.

import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';
import { waitForValue } from './wait';

export interface BackendMessage {
  /** The type byte as a character: 'R', 'S', 'K', 'Z', 'E', 'N', 'T', 'D', 'C', ... */
  readonly type: string;
  readonly body: Buffer;
}

/** The fields of an ErrorResponse / NoticeResponse, by field code ('S', 'C', 'M', 'D', 'H', 'P', ...). */
export function errorFields(m: BackendMessage): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < m.body.length && m.body[at] !== 0) {
    const code = String.fromCharCode(m.body[at]);
    const end = m.body.indexOf(0, at + 1);
    out[code] = m.body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return out;
}

/** A StartupMessage for protocol `version` (3.0 = 196608) with the given parameters. */
export function startupMessage(params: Record<string, string>, version = 196608): Buffer {
  const pairs = Object.entries(params).flatMap(([k, v]) => [Buffer.from(k + '\0'), Buffer.from(v + '\0')]);
  const body = Buffer.concat([...pairs, Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(version, 4);
  return Buffer.concat([head, body]);
}

/** A framed frontend message with an arbitrary type and body (for malformed-message tests). */
export function frame(type: string, body: Buffer = Buffer.alloc(0), length = body.length + 4): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(length, 1);
  return Buffer.concat([head, body]);
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/**
 * A session as soon as the server admits one. While every connection slot is taken the server answers 53300 and
 * closes, and the attempt is repeated until one is admitted or `timeoutMs` passes: e.g. until the slot of a session
 * that hung up is free again, which happens once the server has seen the close and ended what the session ran.
 */
export async function admittedSession(
  server: { host: string; port: number }, timeoutMs = 5000,
): Promise<{ client: RawClient; startup: BackendMessage[] }> {
  const attempt = async (): Promise<{ client: RawClient; startup: BackendMessage[] } | null> => {
    const client = await RawClient.connect(server);
    client.send(startupMessage({ user: 'test', database: 'sluice' }));
    const startup: BackendMessage[] = [];
    do startup.push(await client.readMessage());
    while (startup.at(-1)!.type !== 'Z' && startup.at(-1)!.type !== 'E');
    if (startup.at(-1)!.type === 'Z') return { client, startup };
    client.close();
    const code = errorFields(startup.at(-1)!).C;
    if (code !== '53300') throw new Error(`startup refused with ${code}, not for want of a connection slot`);
    return null;
  };
  return (await waitForValue(attempt, (session) => session !== null, 'a connection slot', timeoutMs))!;
}

export class RawClient {
  private buffer = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  static connect(server: { host: string; port: number }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(server.port, server.host, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Connects and completes a trust startup; returns the client and the messages up to ReadyForQuery. */
  static async session(
    server: { host: string; port: number },
    params: Record<string, string> = { user: 'test', database: 'sluice' },
  ): Promise<{ client: RawClient; startup: BackendMessage[] }> {
    const client = await RawClient.connect(server);
    client.send(startupMessage(params));
    const startup = await client.readUntil('Z');
    return { client, startup };
  }

  send(...parts: Buffer[]): void {
    this.socket.write(Buffer.concat(parts));
  }

  /**
   * Sends the messages of a statement that runs until something stops it (a Query of pg_sleep, say) behind a quick
   * SHOW, and resolves once SHOW's ReadyForQuery is in: from then on the server is running the statement. Sluice
   * shows no running statements to wait for, but it goes from one pipelined message to the next without handling
   * anything else in between (another connection, a signal), so whatever the test does next reaches the server
   * while the statement runs; a cancel sent too early would be lost, as in PostgreSQL.
   */
  async startStatement(...statement: Buffer[]): Promise<void> {
    this.send(serialize.query('SHOW TimeZone'), ...statement);
    const answer = await this.readUntil('Z');
    const types = answer.map((m) => m.type).join('');
    if (types !== 'TDCZ') throw new Error(`SHOW TimeZone, sent ahead of the statement, was answered ${types}`);
  }

  /** The next `n` raw bytes (e.g. the 'N' answering an SSLRequest). */
  async readBytes(n: number, timeoutMs = 3000): Promise<Buffer> {
    await this.waitFor(() => this.buffer.length >= n, timeoutMs, `${n} bytes`);
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async readMessage(timeoutMs = 3000): Promise<BackendMessage> {
    await this.waitFor(() => this.buffer.length >= 5 && this.buffer.length >= 1 + this.buffer.readInt32BE(1), timeoutMs, 'a message');
    const length = this.buffer.readInt32BE(1);
    const m = { type: String.fromCharCode(this.buffer[0]), body: this.buffer.subarray(5, 1 + length) };
    this.buffer = this.buffer.subarray(1 + length);
    return m;
  }

  /** Messages up to and including the first of type `type`. */
  async readUntil(type: string, timeoutMs = 3000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.readMessage(timeoutMs);
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Resolves true once the server has closed the connection (and every message before it was read). */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    try {
      await this.waitFor(() => false, timeoutMs, 'close');
    } catch {
      return this.closed;
    }
    return true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * True if no bytes arrive for `ms` (nothing unexpected was sent): a negative check, so only next to a positive one
   * showing the same setup does answer when it should. quietFor(0): nothing has arrived so far.
   */
  async quietFor(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.buffer.length === 0;
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async waitFor(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
