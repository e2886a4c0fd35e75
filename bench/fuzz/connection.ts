// One fuzz connection: send a session's frames cut at random points, then read what the server says until it closes
// the connection or goes quiet. The server may rightly wait for bytes a damaged length promised: quiet is an
// answer too, and the connection is then dropped by the client.

import { connect } from 'node:net';
import type { Prng } from '../nexmark/prng';

export interface ServerError {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

export interface ConnectionOutcome {
  /** ErrorResponses the server sent, in order. */
  readonly errors: ServerError[];
  /** The server closed the connection (rather than the client after a quiet spell). */
  readonly closedByServer: boolean;
  /** Bytes the server sent. */
  readonly bytes: number;
}

export interface ConnectionLimits {
  /** How long the server may stay quiet before the client gives up on the connection. */
  readonly quietMs: number;
  /** The longest one connection may take in all. */
  readonly maxMs: number;
}

export function runConnection(
  address: { host: string; port: number }, frames: readonly Buffer[], rng: Prng, limits: ConnectionLimits,
): Promise<ConnectionOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let quiet: NodeJS.Timeout | undefined;
    const socket = connect(address.port, address.host);
    const finish = (): void => {
      clearTimeout(quiet);
      clearTimeout(cap);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      resolve({ errors: errorsIn(bytes, startsWithSslRequest(frames)), closedByServer, bytes: bytes.length });
    };
    const cap = setTimeout(finish, limits.maxMs);
    const rearm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, limits.quietMs);
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      rearm();
    });
    socket.on('error', () => undefined); // a reset is one way for the server to close
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.on('connect', () => {
      for (const piece of cutAtRandom(Buffer.concat(frames), rng)) socket.write(piece);
      rearm();
    });
  });
}

/** The bytes in one to four pieces, cut anywhere, so frames straddle TCP writes as they do on real networks. */
function cutAtRandom(bytes: Buffer, rng: Prng): Buffer[] {
  const cuts = Array.from({ length: rng.nextInt(4) }, () => rng.nextInt(bytes.length + 1)).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) pieces.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  return pieces;
}

function startsWithSslRequest(frames: readonly Buffer[]): boolean {
  const f = frames[0];
  return f !== undefined && f.length === 8 && f.readInt32BE(0) === 8 && f.readInt32BE(4) === 80877103;
}

/** The ErrorResponses among the server's messages; stops at the first bytes that do not frame as a message. */
export function errorsIn(bytes: Buffer, sslAnswerFirst: boolean): ServerError[] {
  const errors: ServerError[] = [];
  let at = sslAnswerFirst && (bytes[0] === 0x4e || bytes[0] === 0x53) ? 1 : 0;
  while (at + 5 <= bytes.length) {
    const length = bytes.readInt32BE(at + 1);
    if (length < 4 || at + 1 + length > bytes.length) break;
    if (bytes[at] === 0x45) errors.push(errorFields(bytes.subarray(at + 5, at + 1 + length)));
    at += 1 + length;
  }
  return errors;
}

function errorFields(body: Buffer): ServerError {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields[String.fromCharCode(body[at])] = body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return { severity: fields.S ?? '?', code: fields.C ?? '?', message: fields.M ?? '' };
}
