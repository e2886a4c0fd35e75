// SCRAM-SHA-256 secrets (RFC 5802, RFC 7677) as PostgreSQL derives and stores them. Here, below the server, because
// CREATE ROLE ... PASSWORD hashes in the engine and the server's login exchange (server/auth/scram.ts) reads the
// same keys back.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import saslprep from '@mongodb-js/saslprep';

export interface ScramKeys {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** PostgreSQL's default scram_iterations. */
export const SCRAM_ITERATIONS = 4096;

export const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
export const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * The password as SCRAM hashes it: SASLprep (RFC 4013) as PostgreSQL's pg_saslprep and libpq apply it (a soft
 * hyphen maps to nothing, a non-ASCII space to a space, then NFKC), and, as they do, the password unchanged when
 * SASLprep refuses it (prohibited or unassigned code points), so such a password still works with clients that do
 * the same.
 */
export function preparePassword(password: string): string {
  try {
    return saslprep(password);
  } catch {
    return password;
  }
}

/** SaltedPassword = Hi(password); StoredKey = H(HMAC(SaltedPassword, "Client Key")); ServerKey likewise. */
export function deriveScramKeys(password: string, salt: Buffer, iterations: number): ScramKeys {
  const salted = pbkdf2Sync(Buffer.from(preparePassword(password), 'utf8'), salt, iterations, 32, 'sha256');
  return {
    salt,
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** The keys of a verifier in PostgreSQL's text form, or null when the text is not one. */
export function parseVerifier(text: string): ScramKeys | null {
  const m = VERIFIER.exec(text);
  if (m === null) return null;
  const keys = {
    iterations: Number(m[1]), salt: Buffer.from(m[2], 'base64'),
    storedKey: Buffer.from(m[3], 'base64'), serverKey: Buffer.from(m[4], 'base64'),
  };
  const sane = keys.iterations > 0 && keys.salt.length > 0 && keys.storedKey.length === 32 && keys.serverKey.length === 32;
  return sane ? keys : null;
}

export function formatVerifier(k: ScramKeys): string {
  const b64 = (b: Buffer): string => b.toString('base64');
  return `SCRAM-SHA-256$${k.iterations}:${b64(k.salt)}$${b64(k.storedKey)}:${b64(k.serverKey)}`;
}

/** What PASSWORD 'x' stores: a verifier given as one is kept as is (as PostgreSQL does), anything else is hashed. */
export function verifierFor(password: string): string {
  if (parseVerifier(password) !== null) return password;
  return formatVerifier(deriveScramKeys(password, randomBytes(16), SCRAM_ITERATIONS));
}
