// Who may use the HTTP API. With a users file, HTTP Basic credentials checked against the same users as the wire
// protocol. Without one, everyone is trusted, but only while the server listens on a loopback address: trust on an
// address other machines reach would hand the database to anyone on the network.

import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { SQLSTATE } from '../../engine/errors';
import { effectiveAuth, passwordMatches, type AuthConfig, type UserStore } from '../auth/users';
import { HttpError } from './errors';
import type { HttpUser } from './http-session';

export type HttpAuth =
  | { readonly kind: 'trust' }
  | { readonly kind: 'basic'; readonly users: UserStore; readonly loginRefusal: (user: string) => string | null }
  | { readonly kind: 'refuse'; readonly host: string };

/** The user of a request under trust that names none. */
const TRUSTED_USER = 'http';

/** Decided per request: under roles, whether passwords are required can change while the server runs. */
export function httpAuth(config: AuthConfig, host: string): HttpAuth {
  const auth = effectiveAuth(config);
  if (auth.method !== 'trust') {
    return { kind: 'basic', users: auth.users, loginRefusal: config.method === 'roles' ? config.loginRefusal : () => null };
  }
  return isLoopback(host) ? { kind: 'trust' } : { kind: 'refuse', host };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host.toLowerCase().startsWith('::ffff:127.');
}

/** The request's user; throws 401 (with WWW-Authenticate, set by the server) or 403. */
export function authenticateRequest(headers: IncomingHttpHeaders, auth: HttpAuth): HttpUser {
  const credentials = basicCredentials(headers.authorization);
  switch (auth.kind) {
    case 'trust':
      return { name: credentials?.user || TRUSTED_USER, trusted: true };
    case 'refuse':
      throw new HttpError(403, SQLSTATE.invalid_authorization_specification,
        `the HTTP API trusts clients only on a loopback address, and this server listens on ${auth.host}`,
        { hint: 'Start the server with --users to require passwords, or listen on 127.0.0.1.' });
    case 'basic': {
      if (credentials === null) throw unauthorized('this server requires a user name and password (HTTP Basic)');
      if (!passwordMatches(auth.users.get(credentials.user), credentials.password)) {
        throw unauthorized(`password authentication failed for user "${credentials.user}"`);
      }
      // As on the wire: the right password of a NOLOGIN role still does not let it in.
      const refusal = auth.loginRefusal(credentials.user);
      if (refusal !== null) throw new HttpError(403, SQLSTATE.invalid_authorization_specification, refusal);
      return { name: credentials.user, trusted: false };
    }
  }
}

export const WWW_AUTHENTICATE = 'Basic realm="sluice", charset="UTF-8"';

function unauthorized(message: string): HttpError {
  return new HttpError(401, SQLSTATE.invalid_password, message);
}

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (m === null) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
