// One client socket as a source of framed messages and a sink of backend messages.
//
// Reading: bytes are queued, and the socket is paused once more than HIGH_WATER bytes wait unread, so a client
// that pipelines faster than we execute is held back by TCP instead of our memory. Lengths are checked against the
// caller's cap as soon as the header arrives, before the body is buffered.
//
// Writing: messages are gathered and written together once the current turn of the event loop ends (or when
// FLUSH_AT bytes have gathered); `drain` lets long result streams wait for a slow client. Inside an extended-query
// batch output is held until the next explicit flush (Sync or Flush), as PostgreSQL does, so an Execute that waits
// for its write to be durable does not cost a second write for the BindComplete sent before it.

import type { Socket } from 'node:net';
import { ByteQueue } from './byte-queue';
import type { Upgrade, WireTls } from './tls';
import { isKnownMessageType } from './messages-in';
import { protocolViolation } from './errors';
import { workBegins } from '../../engine/slices';

const HIGH_WATER = 1 << 20;
const FLUSH_AT = 64 * 1024;
/** How long a closing connection may take to take our last bytes before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

export interface RawMessage {
  readonly type: number;
  readonly body: Buffer;
}

export class Channel {
  private readonly queue = new ByteQueue();
  private eof = false;
  private waiting: { need: number; wake: () => void } | null = null;
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushScheduled = false;
  /** Output waits for the next flush() instead of the end of the turn. */
  private held = false;
  /** close() was called: nothing more is written. */
  private ending = false;
  private readonly closedController = new AbortController();
  private readonly hungUpController = new AbortController();
  private readonly onData = (chunk: Buffer): void => this.received(chunk);
  private readonly onEnd = (): void => {
    this.ended();
    this.hungUpController.abort();
  };
  private readonly onClose = (): void => {
    this.ended();
    this.hungUpController.abort();
    this.closedController.abort();
  };
  /** The socket read and written: the TCP socket, or the TLSSocket wrapping it once TLS is on. */
  private socket: Socket;
  private tlsOn = false;
  /** The TLS handshake owns the socket: a plaintext write would corrupt it, so a close just cuts it. */
  private handshaking = false;

  constructor(socket: Socket) {
    this.socket = socket;
    this.listen(socket);
    // Errors (ECONNRESET, EPIPE) are followed by 'close'; without a listener they would crash the process. It stays
    // on the TCP socket after a TLS upgrade too, since that socket may still report errors of its own.
    socket.on('error', () => {});
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
  }

  /** The connection is encrypted (TLS). */
  get encrypted(): boolean {
    return this.tlsOn;
  }

  /**
   * Hands the socket to TLS for the handshake; nothing may be buffered unread (those bytes came in plaintext).
   * From then on every read and write goes through the TLSSocket; a failed handshake reads as the client hanging up.
   */
  async startTls(tls: WireTls): Promise<Upgrade> {
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.off('end', this.onEnd);
    raw.off('close', this.onClose);
    this.handshaking = true;
    const upgrade = await tls.upgrade(raw).finally(() => (this.handshaking = false));
    if (upgrade.kind === 'failed') {
      raw.destroy();
      this.onClose();
      return upgrade;
    }
    this.socket = upgrade.socket;
    this.tlsOn = true;
    this.listen(upgrade.socket);
    upgrade.socket.on('error', () => {});
    if (upgrade.socket.destroyed) this.onClose();
    return upgrade;
  }

  /** Aborted once the socket is closed: long statements of this session stop. */
  get closedSignal(): AbortSignal {
    return this.closedController.signal;
  }

  /**
   * Aborted once the client has hung up: closed the socket, or only its sending half (a FIN; the socket is
   * half-open, so without this a running statement would go on until it next reads or its writes fail).
   */
  get hungUpSignal(): AbortSignal {
    return this.hungUpController.signal;
  }

  get isClosed(): boolean {
    return this.closedController.signal.aborted;
  }

  /** Bytes received and not yet read, e.g. plaintext pipelined right after an SSLRequest. */
  get buffered(): number {
    return this.queue.length;
  }

  /**
   * A startup-phase packet: int32 length (counting itself) then the body; returns the body, or null at EOF.
   * Throws a protocol violation for a length outside [minLength, maxLength].
   */
  async readStartupPacket(minLength: number, maxLength: number): Promise<Buffer | null> {
    if (!(await this.waitFor(4))) return this.truncated(false);
    const length = this.queue.peekInt32(0);
    if (length < minLength || length > maxLength) throw protocolViolation('invalid length of startup packet');
    if (!(await this.waitFor(length))) return this.truncated(true);
    this.queue.skip(4);
    return this.take(length - 4);
  }

  /** A typed message whose body is at most `maxBody` bytes; null at EOF. */
  async readMessage(maxBody: number): Promise<RawMessage | null> {
    if (!(await this.waitFor(5))) return this.truncated(false);
    const type = this.queue.peekByte(0);
    const length = this.queue.peekInt32(1);
    if (!isKnownMessageType(type)) throw protocolViolation(`invalid frontend message type ${type}`);
    if (length < 4) throw protocolViolation(`invalid message length ${length}`);
    if (length - 4 > maxBody) {
      throw protocolViolation(`invalid message length ${length}: messages are limited to ${maxBody} bytes`);
    }
    if (!(await this.waitFor(1 + length))) return this.truncated(true);
    workBegins(); // reading a big message is the start of its statement's work, which paces itself from here
    this.queue.skip(5);
    return { type, body: this.take(length - 4) };
  }

  write(message: Buffer): void {
    if (this.isClosed || this.ending || this.handshaking) return;
    this.outgoing.push(message);
    this.outgoingBytes += message.length;
    if (this.outgoingBytes >= FLUSH_AT) this.flush();
    else if (!this.flushScheduled && !this.held) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Holds what is written from now on until the next flush(), which the client asks for (Sync, Flush). */
  holdOutput(): void {
    this.held = true;
  }

  flush(): void {
    this.flushScheduled = false;
    this.held = false;
    if (this.outgoing.length === 0 || this.isClosed || this.socket.destroyed) return;
    const data = this.outgoing.length === 1 ? this.outgoing[0] : Buffer.concat(this.outgoing, this.outgoingBytes);
    this.outgoing = [];
    this.outgoingBytes = 0;
    this.socket.write(data);
  }

  /** Flushes, then waits while the socket holds more than its high-water mark (a slow client). */
  async drain(): Promise<void> {
    this.flush();
    if (!this.socket.writableNeedDrain || this.isClosed) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.closedSignal.removeEventListener('abort', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.closedSignal.addEventListener('abort', done);
    });
  }

  /**
   * Waits while the client is not reading what we sent, so a client that floods us with queries without reading the
   * answers is held back (its input stops being read) instead of growing our write buffer without bound.
   */
  async waitIfBehind(): Promise<void> {
    if (this.socket.writableNeedDrain) await this.drain();
  }

  /** Sends what is pending, then closes; a client that does not read is cut off after a grace period. */
  close(): void {
    if (this.isClosed || this.ending) return;
    if (this.handshaking) {
      this.socket.destroy();
      return;
    }
    this.flush();
    this.ending = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private take(n: number): Buffer {
    const b = this.queue.take(n);
    if (this.queue.length < HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return b;
  }

  /** EOF in the middle of a message is a protocol violation; EOF between messages is a normal hang-up. */
  private truncated(midMessage: boolean): null {
    if (midMessage || this.queue.length > 0) throw protocolViolation('incomplete message from client');
    return null;
  }

  private async waitFor(n: number): Promise<boolean> {
    while (this.queue.length < n) {
      if (this.eof) return false;
      await new Promise<void>((wake) => {
        this.waiting = { need: n, wake };
        if (this.socket.isPaused()) this.socket.resume();
      });
    }
    return true;
  }

  private received(chunk: Buffer): void {
    this.queue.push(chunk);
    const w = this.waiting;
    if (w !== null && this.queue.length >= w.need) {
      this.waiting = null;
      w.wake();
    }
    if (this.queue.length >= Math.max(HIGH_WATER, w?.need ?? 0)) this.socket.pause();
  }

  private ended(): void {
    this.eof = true;
    const w = this.waiting;
    this.waiting = null;
    w?.wake();
  }
}
