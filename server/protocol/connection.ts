// One client connection from first byte to close: startup negotiation, the connection limit, authentication, the
// session's opening messages, then the session loop. Whatever goes wrong ends here as one FATAL ErrorResponse and
// a closed socket, never as an exception that reaches the server.

import type { Socket } from 'node:net';
import type { Logger } from '../log';
import { SqlError, SQLSTATE, isBug, toSqlError } from '../../engine/errors';
import { authenticate } from '../auth/authenticate';
import { initialSettings, reportedSettings } from '../session/settings';
import { registerSession } from '../session/session-settings';
import { Channel } from './channel';
import type { ServerContext } from './context';
import { ClientGone } from './errors';
import {
  AUTHENTICATION_OK, backendKeyData, errorOrNotice, negotiateProtocolVersion, parameterStatus, readyForQuery,
} from './messages-out';
import { ProtocolSession } from './session';
import { SessionLoop } from './session-loop';
import { negotiateStartup, PROTOCOL_MINOR_SUPPORTED } from './startup';
import { startupSettings } from './startup-options';

/** The one database Sluice has; any other name is accepted with a NOTICE. */
export const DATABASE_NAME = 'sluice';

export interface Connection {
  readonly channel: Channel;
  /** Resolves when the connection is fully closed and cleaned up. */
  readonly done: Promise<void>;
}

function fatal(code: (typeof SQLSTATE)[keyof typeof SQLSTATE], message: string, detail?: string): SqlError {
  return new SqlError(code, message, { severity: 'FATAL', detail });
}

function tooManyClients(): SqlError {
  return fatal(SQLSTATE.too_many_connections, 'sorry, too many clients already');
}

/** --tls-required: PostgreSQL's words for a hostssl-only pg_hba.conf, so clients and people recognise them. */
function plaintextRefused(remoteAddress: string, user: string, database: string): SqlError {
  const host = remoteAddress.replace(/^::ffff:/, '');
  return new SqlError(
    SQLSTATE.invalid_authorization_specification,
    `no pg_hba.conf entry for host "${host}", user "${user}", database "${database}", no encryption`,
    { severity: 'FATAL', hint: 'This server accepts only TLS connections: connect with sslmode=require or stronger.' },
  );
}

export function serveConnection(socket: Socket, ctx: ServerContext, id: number): Connection {
  const channel = new Channel(socket);
  const log = ctx.log.child({ connection: id, remote: `${socket.remoteAddress}:${socket.remotePort}` });
  return { channel, done: run(channel, ctx, log, socket.remoteAddress ?? '') };
}

async function run(channel: Channel, ctx: ServerContext, log: Logger, remoteAddress: string): Promise<void> {
  let admitted = false;
  let session: ProtocolSession | null = null;
  let expired = false;
  const expire = (): void => {
    expired = true;
    sendFatal(channel, fatal(SQLSTATE.protocol_violation, 'timeout expired during startup'), log);
    channel.close();
  };
  // A client that never finishes startup and authentication must not hold a socket forever.
  const timer = setTimeout(expire, ctx.startupTimeoutMs);
  timer.unref();
  const startupSlot = ctx.startupBudget.enter(expire);
  try {
    if (startupSlot === null) throw tooManyClients();
    const outcome = await negotiateStartup(channel, ctx.tls);
    startupSlot.release();
    // Pushed out while its packet was arriving: it was told so and is closing; it must not take a session slot.
    if (expired) return;
    if (outcome.kind === 'hangup') return;
    if (outcome.kind === 'cancel') {
      const found = ctx.registry.cancel(outcome.processId, outcome.secret);
      log.debug('cancel request', { processId: outcome.processId, matched: found });
      return;
    }
    const params = outcome.params;
    const user = params.get('user') ?? '';
    if (user === '') throw fatal(SQLSTATE.invalid_authorization_specification, 'no PostgreSQL user name specified in startup packet');
    const replication = (params.get('replication') ?? 'false').toLowerCase();
    if (!['false', 'off', 'no', '0'].includes(replication)) {
      throw fatal(SQLSTATE.feature_not_supported, 'Sluice does not support replication connections');
    }
    const database = params.get('database') || user;
    if (ctx.tls?.required && !channel.encrypted) throw plaintextRefused(remoteAddress, user, database);
    if (outcome.protocolMinor > PROTOCOL_MINOR_SUPPORTED || outcome.protocolOptions.length > 0) {
      channel.write(negotiateProtocolVersion(PROTOCOL_MINOR_SUPPORTED, outcome.protocolOptions));
    }
    if (!ctx.registry.tryAdmit()) throw tooManyClients();
    admitted = true;
    const how = await authenticate(channel, ctx.auth, user);
    if (how === 'hangup') return;
    clearTimeout(timer);

    let settings: Map<string, string>;
    try {
      const startup = new Map([...ctx.sessionDefaults(user), ...startupSettings(params)]);
      settings = initialSettings(startup, { user, serverVersion: ctx.serverVersion });
    } catch (e) {
      const err = toSqlError(e);
      throw new SqlError(err.code, err.message, { severity: 'FATAL', detail: err.detail, hint: err.hint });
    }
    const key = ctx.registry.newKey();
    session = new ProtocolSession(channel, key.processId, key.secret, user, database, settings, how === 'trust');
    registerSession(session);
    ctx.registry.add(session);
    channel.write(AUTHENTICATION_OK);
    for (const [name, value] of reportedSettings(settings)) channel.write(parameterStatus(name, value));
    channel.write(backendKeyData(session.processId, session.secret));
    if (database !== DATABASE_NAME) {
      session.notice(
        `Sluice has one database, "${DATABASE_NAME}"; connected to it instead of "${database}"`,
        `Connect with database "${DATABASE_NAME}" to silence this notice.`,
      );
    }
    channel.write(readyForQuery('I'));
    channel.flush();
    log.debug('session started', { user, database, processId: session.processId });
    await new SessionLoop(channel, session, ctx, log).run();
  } catch (e) {
    if (!(e instanceof ClientGone)) sendFatal(channel, e, log);
  } finally {
    clearTimeout(timer);
    startupSlot?.release();
    if (session !== null) {
      session.hangUp();
      ctx.registry.remove(session);
      try {
        ctx.backend.sessionClosed(session);
      } catch (e) {
        log.error('backend.sessionClosed failed (a bug)', { error: e });
      }
    }
    if (admitted) ctx.registry.release();
    channel.close();
  }
}

/** One ErrorResponse, always FATAL: the connection closes after it. A bug is logged with its stack. */
function sendFatal(channel: Channel, e: unknown, log: Logger): void {
  const error = toSqlError(e);
  if (isBug(e)) log.error('internal error in connection (a bug)', { error: e });
  else log.debug('connection error', { code: error.code, message: error.message });
  channel.write(
    errorOrNotice('E', {
      severity: error.severity === 'ERROR' ? 'FATAL' : error.severity,
      code: error.code,
      message: error.message,
      detail: error.detail,
      hint: error.hint,
    }),
  );
  channel.flush();
}
