// The `sluice` command: reads the settings, opens the database, serves the PostgreSQL protocol until SIGINT or
// SIGTERM, then shuts down cleanly (exit 0). Bad options exit 2, a server that cannot start exits 1.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseCommandLine, USAGE, type ServerConfig } from './config';
import { createLogger, type Logger } from './log';
import { openSluice, type Sluice } from './sluice';
import { startProtocolServer, type ProtocolServer } from './protocol/server';
import { startHttpServer, type HttpServer } from './http/server';
import { memoryLimits } from '../engine/memory/limit';
import { authMethodFromEnv, loadUsersFile, UsersFileError, type AuthConfig, type AuthMethod, type UserEntry, effectiveAuth } from './auth/users';
import { roleAuth, roleSettings, seedRoles } from './auth/roles';
import { loadTls, type LoadedTls } from './tls-config';
import { checkDataDir } from './check-data-dir';
import { StorageError } from '../storage';

const EXIT_BUG = 70;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The users file's entries (none without --users) and how passwords travel, read before anything opens. */
function usersConfig(config: ServerConfig): { entries: UserEntry[]; method: AuthMethod } {
  return {
    entries: config.usersFile === null ? [] : loadUsersFile(config.usersFile),
    method: authMethodFromEnv(process.env),
  };
}

/** Server defaults of the timeouts, then the role's own settings: the settings a session starts with. */
function sessionDefaults(config: ServerConfig, sluice: Sluice): (user: string) => ReadonlyMap<string, string> {
  const server: [string, string][] = [
    ['statement_timeout', String(config.statementTimeoutMs)],
    ['idle_in_transaction_session_timeout', String(config.idleInTransactionSessionTimeoutMs)],
  ];
  return (user) => new Map([...server, ...roleSettings(sluice.runtime.roles, user)]);
}

function installCrashHandlers(log: Logger): void {
  // Every rejection is handled somewhere by design; one that is not is a bug, and tests must see it fail loudly.
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled promise rejection (a bug)', { error: reason });
    process.exit(EXIT_BUG);
  });
  process.on('uncaughtException', (error) => {
    log.error('uncaught exception (a bug)', { error });
    process.exit(EXIT_BUG);
  });
}

function listenErrorMessage(e: unknown, host: string, port: number): string {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the address is already in use (is another server running?)`;
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${where}: no such address on this machine`;
  return `cannot listen on ${where}: ${(e as Error).message}`;
}

async function main(): Promise<number | null> {
  let config: ServerConfig;
  let users: { entries: UserEntry[]; method: AuthMethod };
  let tls: LoadedTls | null;
  try {
    const parsed = parseCommandLine(process.argv.slice(2), process.env);
    if (parsed.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    config = parsed.config;
    if (config.checkDataDir !== null) {
      const print = (stream: NodeJS.WriteStream) => (line: string): void => void stream.write(`${line}\n`);
      return await checkDataDir(config.checkDataDir, print(process.stdout), print(process.stderr));
    }
    users = usersConfig(config);
    tls = config.tls === null ? null : loadTls(config.tls, config.tlsRequired);
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof UsersFileError)) throw e;
    process.stderr.write(`sluice: ${e.message}\n\n${USAGE}`);
    return 2;
  }

  const log = createLogger();
  installCrashHandlers(log);
  const version = packageVersion();
  const serverVersion = `15.0 (Sluice ${version})`;

  let sluice: Sluice;
  try {
    sluice = await openSluice({
      dataDir: config.dataDir,
      log,
      maxCursorMemoryBytes: config.maxCursorMemoryMb * 1024 * 1024,
      subscriptionLimits: { maxLagEpochs: config.maxSubscriptionLag, changelogRetentionMs: config.changelogRetentionMs },
      memory: memoryLimits(config.memoryLimitMb),
      maxStatementBytes: config.maxStatementMb * 1024 * 1024,
      fileConnectorDir: config.fileConnectorDir,
    });
  } catch (e) {
    process.stderr.write(`sluice: cannot open the data directory ${config.dataDir}: ${(e as Error).message}\n`);
    if (e instanceof StorageError && e.hint !== undefined) process.stderr.write(`hint: ${e.hint}\n`);
    return 1;
  }
  try {
    await seedRoles(sluice.runtime.roles, users.entries);
  } catch (e) {
    process.stderr.write(`sluice: cannot create the roles of the users file ${config.usersFile}: ${(e as Error).message}\n`);
    await sluice.close();
    return 1;
  }
  const auth: AuthConfig = roleAuth(sluice.runtime.roles, users.method, config.usersFile !== null);

  let server: ProtocolServer;
  try {
    server = await startProtocolServer({
      host: config.host,
      port: config.port,
      maxConnections: config.maxConnections,
      backend: sluice.backend,
      auth,
      log,
      serverVersion,
      tls: tls?.wire ?? null,
      sessionDefaults: sessionDefaults(config, sluice),
    });
  } catch (e) {
    process.stderr.write(`sluice: ${listenErrorMessage(e, config.host, config.port)}\n`);
    await sluice.close();
    return 1;
  }

  // From the first signal on, GET /ready answers 503.
  let stopping = false;
  let http: HttpServer | null = null;
  if (config.httpPort !== null) {
    try {
      http = await startHttpServer({
        host: config.host,
        port: config.httpPort,
        backend: sluice.backend,
        auth,
        log,
        version,
        serverVersion,
        wireSessions: () => server.sessionCount(),
        wireSessionActivity: () => server.sessionActivity(),
        runtime: sluice.runtime,
        ready: () => !stopping,
        tls: tls === null ? null : { cert: tls.cert, key: tls.key },
      });
    } catch (e) {
      process.stderr.write(`sluice: ${listenErrorMessage(e, config.host, config.httpPort)}\n`);
      await server.close();
      await sluice.close();
      return 1;
    }
  }

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    Promise.all([server.close(), http?.close()])
      .then(() => sluice.close())
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (e: unknown) => {
          log.error('shutdown failed', { error: e });
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Printed only once the signal handlers are in place: whoever waits for this line may signal at once.
  const shown = server.host.includes(':') ? `[${server.host}]` : server.host;
  const httpShown = http === null ? '' : `, http on ${shown}:${http.port}`;
  process.stdout.write(`Sluice ${version} listening on ${shown}:${server.port}${httpShown}\n`);
  log.info('listening', {
    host: server.host, port: server.port, httpPort: http?.port ?? null, dataDir: config.dataDir, auth: effectiveAuth(auth).method,
  });
  return null;
}

main().then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`sluice: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
