// A byte-level PostgreSQL client for protocol tests: send any bytes, read framed backend messages with a timeout,
// and see when the server closes the connection. Frontend messages can be built with pg-protocol's `serialize`.

import { connect, type Socket } from 'node:net';

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

  /** True if no bytes arrive for `ms` (nothing unexpected was sent). */
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
