// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it: no channel binding without TLS, the user name in the
// SCRAM message ignored (the StartupMessage's counts), and an unknown user put through a convincing exchange
// with made-up keys so that a failure does not tell whether the user exists.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlError, SQLSTATE } from '../../engine/errors';
import { hmac, sha256, type ScramKeys } from '../../engine/roles/scram-verifier';

const mockSecret = randomBytes(32);

/** Keys no proof can match, with a salt that stays the same for a given name (as PostgreSQL's mock auth). */
export function mockScramKeys(user: string, iterations: number): ScramKeys {
  return {
    salt: hmac(mockSecret, `salt:${user}`).subarray(0, 16),
    iterations,
    storedKey: randomBytes(32),
    serverKey: randomBytes(32),
  };
}

function malformed(detail: string): SqlError {
  return new SqlError(SQLSTATE.protocol_violation, 'malformed SCRAM message', { detail, severity: 'FATAL' });
}

/** attr=value pairs separated by commas. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (m === null) throw malformed(`unexpected attribute "${part.slice(0, 20)}"`);
    out.set(m[1], m[2]);
  }
  return out;
}

/** The server side of one exchange: `first` answers client-first-message, `final` checks client-final-message. */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';

  constructor(private readonly keys: ScramKeys) {}

  first(clientFirst: string): string {
    const m = /^([ny])(?:=[^,]*)?,(a=[^,]*)?,(.*)$/s.exec(clientFirst);
    if (m === null) {
      if (clientFirst.startsWith('p=')) {
        throw new SqlError(SQLSTATE.protocol_violation, 'channel binding is not supported without SSL', { severity: 'FATAL' });
      }
      throw malformed('invalid GS2 header');
    }
    this.gs2Header = clientFirst.slice(0, clientFirst.length - m[3].length);
    this.clientFirstBare = m[3];
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (clientNonce === undefined || clientNonce === '' || attrs.has('m')) throw malformed('missing nonce');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.keys.salt.toString('base64')},i=${this.keys.iterations}`;
    return this.serverFirst;
  }

  /** Returns server-final-message ("v=...") when the proof is right, null when it is not. */
  final(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('missing proof');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) throw malformed('unexpected channel binding');
    if (attrs.get('r') !== this.nonce) throw malformed('wrong nonce');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.keys.storedKey, authMessage);
    if (proof.length !== clientSignature.length) return null;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    if (!timingSafeEqual(sha256(clientKey), this.keys.storedKey)) return null;
    return `v=${hmac(this.keys.serverKey, authMessage).toString('base64')}`;
  }
}
