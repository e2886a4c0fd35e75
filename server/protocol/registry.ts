// The live sessions of a server: how many there are (for --max-connections) and their cancel keys. Process ids
// and secrets come from crypto randomness, so a CancelRequest cannot be guessed from another session's key.

import { randomInt, timingSafeEqual } from 'node:crypto';
import type { ProtocolSession } from './session';

export class SessionRegistry {
  private admitted = 0;
  private readonly byProcessId = new Map<number, ProtocolSession>();

  constructor(private readonly maxConnections: number) {}

  get count(): number {
    return this.admitted;
  }

  /** Takes a connection slot; false when all are taken. Every true must be paired with `release`. */
  tryAdmit(): boolean {
    if (this.admitted >= this.maxConnections) return false;
    this.admitted++;
    return true;
  }

  release(): void {
    this.admitted--;
  }

  /** A positive int32 process id no live session has, and a random int32 secret. */
  newKey(): { processId: number; secret: number } {
    let processId: number;
    do processId = randomInt(1, 2 ** 31 - 1);
    while (this.byProcessId.has(processId));
    return { processId, secret: randomInt(-(2 ** 31), 2 ** 31 - 1) };
  }

  add(session: ProtocolSession): void {
    this.byProcessId.set(session.processId, session);
  }

  remove(session: ProtocolSession): void {
    if (this.byProcessId.get(session.processId) === session) this.byProcessId.delete(session.processId);
  }

  /** Cancels the running statement of the session with this key; a wrong key does nothing. */
  cancel(processId: number, secret: number): boolean {
    const session = this.byProcessId.get(processId);
    if (session === undefined || !sameSecret(session.secret, secret)) return false;
    session.cancel();
    return true;
  }

  all(): ProtocolSession[] {
    return [...this.byProcessId.values()];
  }
}

function sameSecret(a: number, b: number): boolean {
  const x = Buffer.alloc(4);
  const y = Buffer.alloc(4);
  x.writeInt32BE(a);
  y.writeInt32BE(b);
  return timingSafeEqual(x, y);
}
