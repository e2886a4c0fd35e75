// Who may log in, and how their passwords are checked. Roles live in the catalog (engine/runtime/roles.ts) with
// SCRAM-SHA-256 verifiers; the users file given with --users (one `name:password` per line, split at the first
// colon, so a password may hold colons; blank lines and lines starting with # ignored) seeds them at start.

import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { deriveScramKeys, type ScramKeys } from '../../engine/roles/scram-verifier';

export interface User {
  readonly name: string;
  readonly scram: ScramKeys;
}

/** Users who may present a password: roles that may log in and have one. */
export interface UserStore {
  get(name: string): User | undefined;
}

export type AuthMethod = 'scram-sha-256' | 'password';

/**
 * trust: any user, no password. A method with users: every login is checked against them. roles: the catalog's
 * roles decide, at each login, which of the two applies (docs/security.md, Roles and authentication).
 */
export type AuthConfig =
  | { readonly method: 'trust' }
  | { readonly method: AuthMethod; readonly users: UserStore }
  | RoleAuth;

export interface RoleAuth {
  readonly method: 'roles';
  /** How passwords travel once they are required. */
  readonly passwordMethod: AuthMethod;
  readonly users: UserStore;
  /** Whether a login must present a password now: a users file was given, or some role has a password. */
  passwordRequired(): boolean;
  /** Why `user` may not log in though authenticated (NOLOGIN), or null. */
  loginRefusal(user: string): string | null;
}

/** The trust-or-password choice for one login. */
export function effectiveAuth(auth: AuthConfig): Exclude<AuthConfig, RoleAuth> {
  if (auth.method !== 'roles') return auth;
  return auth.passwordRequired() ? { method: auth.passwordMethod, users: auth.users } : { method: 'trust' };
}

export class UsersFileError extends Error {}

export interface UserEntry {
  readonly name: string;
  readonly password: string;
}

export function parseUsers(text: string, source = 'users file'): UserEntry[] {
  const users = new Map<string, UserEntry>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    const password = colon < 0 ? '' : line.slice(colon + 1);
    if (name === '' || password === '') {
      throw new UsersFileError(`${source}, line ${i + 1}: expected name:password`);
    }
    users.set(name, { name, password });
  });
  return [...users.values()];
}

export function loadUsersFile(path: string): UserEntry[] {
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

/**
 * Cleartext passwords already checked, by verifier: hashing costs thousands of PBKDF2 rounds, and HTTP Basic
 * presents the password on every request. A changed password has a new verifier, so an entry never outlives it.
 */
const checked = new Map<string, Buffer>();
const CHECKED_LIMIT = 1000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Whether a cleartext password is this user's (false for an unknown user or an empty password): hashed with the
 * user's salt and iterations, as PostgreSQL checks a cleartext password against its SCRAM secret (SASLprep included).
 */
export function passwordMatches(user: User | undefined, password: string): boolean {
  if (user === undefined || password === '') return false;
  const k = user.scram;
  const cacheKey = `${user.name}\u0000${k.storedKey.toString('base64')}`;
  const known = checked.get(cacheKey);
  if (known !== undefined) return timingSafeEqual(known, digest(password));
  const derived = deriveScramKeys(password, k.salt, k.iterations);
  if (!timingSafeEqual(derived.storedKey, k.storedKey)) return false;
  if (checked.size >= CHECKED_LIMIT) checked.clear();
  checked.set(cacheKey, digest(password));
  return true;
}
