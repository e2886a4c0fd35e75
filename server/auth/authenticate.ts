// The authentication exchange after the StartupMessage: nothing under trust; otherwise SCRAM-SHA-256 (SASL) or a
// cleartext password, whichever the server is configured for. Every failure is FATAL 28P01 with PostgreSQL's
// message, whether the user is unknown or the password wrong; a role that may not log in is FATAL 28000 after it.

import { SqlError, SQLSTATE } from '../../engine/errors';
import { BodyReader } from '../protocol/messages-in';
import type { Channel } from '../protocol/channel';
import { AUTHENTICATION_CLEARTEXT_PASSWORD, authenticationSasl, authenticationSaslContinue, authenticationSaslFinal } from '../protocol/messages-out';
import { protocolViolation } from '../protocol/errors';
import { MAX_STARTUP_PACKET } from '../protocol/startup';
import { mockScramKeys, ScramServer } from './scram';
import { SCRAM_ITERATIONS } from '../../engine/roles/scram-verifier';
import { effectiveAuth, passwordMatches, type AuthConfig, type UserStore } from './users';

const PASSWORD_MESSAGE = 'p'.charCodeAt(0);

/** How the user got in (trust: no password asked), or that the client hung up. */
export type AuthOutcome = 'trust' | 'password' | 'hangup';

function failed(user: string): SqlError {
  return new SqlError(SQLSTATE.invalid_password, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

/** The next 'p' message's body, or null if the client hung up (psql does, to ask for a password, then retries). */
async function passwordMessage(channel: Channel, expected: string): Promise<Buffer | null> {
  channel.flush();
  const m = await channel.readMessage(MAX_STARTUP_PACKET);
  if (m === null) return null;
  if (m.type !== PASSWORD_MESSAGE) throw protocolViolation(`expected ${expected} response, got message type ${m.type}`);
  return m.body;
}

export async function authenticate(channel: Channel, auth: AuthConfig, user: string): Promise<AuthOutcome> {
  const outcome = await exchange(channel, effectiveAuth(auth), user);
  // As PostgreSQL: the password first, then whether the role may log in at all.
  const refusal = outcome !== 'hangup' && auth.method === 'roles' ? auth.loginRefusal(user) : null;
  if (refusal !== null) throw new SqlError(SQLSTATE.invalid_authorization_specification, refusal, { severity: 'FATAL' });
  return outcome;
}

function exchange(channel: Channel, auth: ReturnType<typeof effectiveAuth>, user: string): Promise<AuthOutcome> {
  switch (auth.method) {
    case 'trust':
      return Promise.resolve('trust');
    case 'password':
      return cleartext(channel, auth.users, user);
    case 'scram-sha-256':
      return scram(channel, auth.users, user);
  }
}

async function cleartext(channel: Channel, users: UserStore, user: string): Promise<AuthOutcome> {
  channel.write(AUTHENTICATION_CLEARTEXT_PASSWORD);
  const body = await passwordMessage(channel, 'password');
  if (body === null) return 'hangup';
  const r = new BodyReader(body);
  const password = r.cstring();
  r.end();
  if (!passwordMatches(users.get(user), password)) throw failed(user);
  return 'password';
}

async function scram(channel: Channel, users: UserStore, user: string): Promise<AuthOutcome> {
  channel.write(authenticationSasl(['SCRAM-SHA-256']));
  const initial = await passwordMessage(channel, 'SASL');
  if (initial === null) return 'hangup';
  const r = new BodyReader(initial);
  const mechanism = r.cstring();
  const length = r.int32();
  const clientFirst = length < 0 ? '' : r.bytes(length).toString('utf8');
  r.end();
  if (mechanism !== 'SCRAM-SHA-256') {
    throw protocolViolation('client selected an invalid SASL authentication mechanism');
  }
  const known = users.get(user);
  const server = new ScramServer(known?.scram ?? mockScramKeys(user, SCRAM_ITERATIONS));
  channel.write(authenticationSaslContinue(server.first(clientFirst)));
  const response = await passwordMessage(channel, 'SASL');
  if (response === null) return 'hangup';
  const serverFinal = server.final(response.toString('utf8'));
  if (serverFinal === null || known === undefined) throw failed(user);
  channel.write(authenticationSaslFinal(serverFinal));
  return 'password';
}
