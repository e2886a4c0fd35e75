// The users file given with --users: one `name:password` per line (split at the first colon, so a password may
// hold colons), blank lines and lines starting with # ignored. SCRAM keys are derived once, at load, so that a login
// costs one HMAC rather than 4096.

import { readFileSync } from 'node:fs';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveScramKeys, preparePassword, type ScramKeys } from './scram';

export interface User {
  readonly name: string;
  readonly password: string;
  readonly scram: ScramKeys;
}

export interface UserStore {
  get(name: string): User | undefined;
  readonly size: number;
}

export type AuthMethod = 'scram-sha-256' | 'password';

/** trust: any user, no password (the default). Otherwise every login is checked against the users file. */
export type AuthConfig =
  | { readonly method: 'trust' }
  | { readonly method: AuthMethod; readonly users: UserStore };

export class UsersFileError extends Error {}

export const SCRAM_ITERATIONS = 4096;

export function parseUsers(text: string, source = 'users file'): UserStore {
  const users = new Map<string, User>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    const password = colon < 0 ? '' : line.slice(colon + 1);
    if (name === '' || password === '') {
      throw new UsersFileError(`${source}, line ${i + 1}: expected name:password`);
    }
    users.set(name, { name, password, scram: deriveScramKeys(password, randomBytes(16), SCRAM_ITERATIONS) });
  });
  return users;
}

export function loadUsersFile(path: string): UserStore {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsersFileError(`cannot read users file ${path}: ${(e as Error).message}`);
  }
  return parseUsers(text, path);
}

/** SLUICE_AUTH_METHOD picks how passwords travel when a users file is given: scram-sha-256 (default) or password. */
export function authMethodFromEnv(env: NodeJS.ProcessEnv): AuthMethod {
  const v = (env.SLUICE_AUTH_METHOD ?? 'scram-sha-256').toLowerCase();
  if (v === 'scram-sha-256' || v === 'password') return v;
  throw new UsersFileError(`SLUICE_AUTH_METHOD must be scram-sha-256 or password, got "${v}"`);
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Whether a cleartext password is this user's (false for an unknown user or an empty password). Comparing digests
 * keeps the comparison constant-time whatever the lengths. Both sides SASLprepped, as PostgreSQL checks a cleartext
 * password against its SCRAM secret.
 */
export function passwordMatches(user: User | undefined, password: string): boolean {
  if (user === undefined || password === '') return false;
  return timingSafeEqual(digest(preparePassword(password)), digest(preparePassword(user.password)));
}
