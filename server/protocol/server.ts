// The TCP server speaking PostgreSQL protocol 3.0: accepts sockets, hands each to serveConnection, and on close
// stops accepting, tells every session the server is going away (57P01) and waits for them to end.

import { createServer, type Socket } from 'node:net';
import type { Backend } from '../backend';
import type { Logger } from '../log';
import type { AuthConfig } from '../auth/users';
import { serveConnection, type Connection } from './connection';
import { SessionRegistry } from './registry';
import { StartupBudget } from './startup-budget';
import { SessionLoop } from './session-loop';
import type { WireTls } from './tls';
import type { SessionActivity } from './session';

/** The largest message accepted after authentication (before it, MAX_STARTUP_PACKET applies). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export const STARTUP_TIMEOUT_MS = 60_000;
const CLOSE_WAIT_MS = 3000;

export interface ProtocolServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly backend: Backend;
  readonly auth: AuthConfig;
  readonly log: Logger;
  readonly serverVersion: string;
  readonly maxMessageBytes?: number;
  readonly startupTimeoutMs?: number;
  readonly tls?: WireTls | null;
  /** Settings a session of a user starts with, below its startup parameters (server and role defaults). */
  readonly sessionDefaults?: (user: string) => ReadonlyMap<string, string>;
}

export interface ProtocolServer {
  readonly host: string;
  readonly port: number;
  /** Sessions past authentication right now. */
  sessionCount(): number;
  /** Those sessions by what they do now. */
  sessionActivity(): Record<SessionActivity, number>;
  close(): Promise<void>;
}

export async function startProtocolServer(options: ProtocolServerOptions): Promise<ProtocolServer> {
  const log = options.log.child({ component: 'protocol' });
  const registry = new SessionRegistry(options.maxConnections);
  const ctx = {
    backend: options.backend,
    auth: options.auth,
    log,
    serverVersion: options.serverVersion,
    registry,
    // As many sockets may be starting as may be in session; none is closed by node's own limit, which would drop it
    // without a word (no 53300).
    startupBudget: new StartupBudget(options.maxConnections),
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    startupTimeoutMs: options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS,
    tls: options.tls ?? null,
    sessionDefaults: options.sessionDefaults ?? ((): ReadonlyMap<string, string> => new Map()),
  };
  const connections = new Set<Connection>();
  let nextId = 1;
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
    const connection = serveConnection(socket, ctx, nextId++);
    connections.add(connection);
    connection.done
      .catch((e: unknown) => log.error('connection ended with an unexpected error (a bug)', { error: e }))
      .finally(() => connections.delete(connection));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error('server socket error', { error: e }));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of registry.all()) session.hangUp(); // running statements stop now, not when sockets close
    for (const c of connections) {
      SessionLoop.shutdownNotice(c.channel);
      c.channel.close();
    }
    const all = Promise.allSettled([...connections].map((c) => c.done));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref());
    await Promise.race([all, timeout]);
    for (const c of connections) c.channel.destroy();
    await closed;
  };
  return {
    host: options.host,
    port,
    sessionCount: () => registry.count,
    sessionActivity: () => {
      const counts: Record<SessionActivity, number> = { active: 0, idle: 0, 'idle in transaction': 0 };
      for (const session of registry.all()) counts[session.activity]++;
      return counts;
    },
    close: () => (closing ??= close()),
  };
}
