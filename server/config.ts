// Server settings from the command line, then environment variables (SLUICE_*), then defaults.

import { parseArgs } from 'node:util';
import { DEFAULT_CURSOR_MEMORY_MB } from './cursors/memory';
import { DEFAULT_SUBSCRIPTION_LIMITS } from '../engine/subscribe/hub';
import { isLoopback } from './http/auth';
import { defaultMemoryLimitMb } from '../engine/memory/limit';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The HTTP API's TCP port (on the same host), or null when it is off. */
  readonly httpPort: number | null;
  readonly dataDir: string;
  readonly maxConnections: number;
  /** A file of `name:password` lines; when given, clients must authenticate (SCRAM-SHA-256 or cleartext). */
  readonly usersFile: string | null;
  /** Trust every user even on an address other machines reach (no --users); refused at start without it. */
  readonly insecureTrust: boolean;
  /** Megabytes all cursors together may hold; past it a DECLARE fails with 53200. */
  readonly maxCursorMemoryMb: number;
  /** Committed epochs a SUBSCRIBE may fall behind before it ends with 53200. */
  readonly maxSubscriptionLag: number;
  /** Megabytes the server's statements and continuous queries may hold together (engine/memory/limit.ts). */
  readonly memoryLimitMb: number;
  /** Session defaults of statement_timeout and idle_in_transaction_session_timeout (0: none), below role settings. */
  readonly statementTimeoutMs: number;
  readonly idleInTransactionSessionTimeoutMs: number;
}

export const USAGE = `Usage: sluice [options]

A SQL-first streaming database server speaking the PostgreSQL wire protocol.

Options (each also settable through the environment variable in brackets):
  --host HOST              address to listen on (SLUICE_HOST)             default 127.0.0.1
  --port PORT              TCP port (SLUICE_PORT)                         default 5433
  --http-port PORT         HTTP API port on the same host; 0 for a free one, off for none
                           (SLUICE_HTTP_PORT)                             default 5434
  --data-dir DIR           LevelDB data directory (SLUICE_DATA_DIR)       default ./sluice-data
  --max-connections N      connections served at once (SLUICE_MAX_CONNECTIONS)  default 100
  --users FILE             name:password lines; enables password authentication (SLUICE_USERS)
                           without it every user is trusted, so on an address other than loopback
                           the server refuses to start unless --insecure-trust is given
  --insecure-trust         trust every user even when listening on a non-loopback address
                           (SLUICE_INSECURE_TRUST=1)
  --max-cursor-memory MB   memory all cursors together may hold for their rows; past it DECLARE
                           fails with 53200 (SLUICE_MAX_CURSOR_MEMORY)    default 512
  --max-subscription-lag N committed epochs a SUBSCRIBE may fall behind its relation before it ends
                           with 53200 (SLUICE_MAX_SUBSCRIPTION_LAG)           default 10000
  --memory-limit MB        memory statements and continuous queries may hold together; a statement
                           past its share fails with 53200 (SLUICE_MEMORY_LIMIT)
                                                    default 3/4 of Node's heap limit
  --statement-timeout MS   every session's default statement_timeout; a role's ALTER ROLE ... SET and
                           the session's SET override it (SLUICE_STATEMENT_TIMEOUT)   default 0 (none)
  --idle-in-transaction-session-timeout MS
                           every session's default idle_in_transaction_session_timeout, overridden
                           likewise (SLUICE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT)  default 0 (none)
  --help                   print this help and exit

Logs go to stderr as JSON lines; SLUICE_LOG_LEVEL=debug|info|warn|error sets the level.
`;

export class ConfigError extends Error {}

export type ParsedCommandLine = { help: true } | { help: false; config: ServerConfig };

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'http-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'max-connections': { type: 'string' },
        users: { type: 'string' },
        'insecure-trust': { type: 'boolean' },
        'max-cursor-memory': { type: 'string' },
        'max-subscription-lag': { type: 'string' },
        'memory-limit': { type: 'string' },
        'statement-timeout': { type: 'string' },
        'idle-in-transaction-session-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (values.help) return { help: true };
  const config: ServerConfig = {
    host: values.host ?? env.SLUICE_HOST ?? '127.0.0.1',
    port: integer('port', values.port ?? env.SLUICE_PORT ?? '5433', 0, 65535),
    httpPort: httpPort(values['http-port'] ?? env.SLUICE_HTTP_PORT ?? '5434'),
    dataDir: values['data-dir'] ?? env.SLUICE_DATA_DIR ?? './sluice-data',
    maxConnections: integer('max-connections', values['max-connections'] ?? env.SLUICE_MAX_CONNECTIONS ?? '100', 1, 100000),
    usersFile: values.users ?? env.SLUICE_USERS ?? null,
    insecureTrust: values['insecure-trust'] ?? env.SLUICE_INSECURE_TRUST === '1',
    maxCursorMemoryMb: integer('max-cursor-memory', values['max-cursor-memory'] ?? env.SLUICE_MAX_CURSOR_MEMORY ?? String(DEFAULT_CURSOR_MEMORY_MB), 1, 1_000_000),
    maxSubscriptionLag: integer('max-subscription-lag',
      values['max-subscription-lag'] ?? env.SLUICE_MAX_SUBSCRIPTION_LAG ?? String(DEFAULT_SUBSCRIPTION_LIMITS.maxLagEpochs), 1, 1e9),
    memoryLimitMb: integer('memory-limit', values['memory-limit'] ?? env.SLUICE_MEMORY_LIMIT ?? String(defaultMemoryLimitMb()), 16, 1_000_000),
    // PostgreSQL's bound for both: INT_MAX milliseconds.
    statementTimeoutMs: integer('statement-timeout', values['statement-timeout'] ?? env.SLUICE_STATEMENT_TIMEOUT ?? '0', 0, 2147483647),
    idleInTransactionSessionTimeoutMs: integer('idle-in-transaction-session-timeout',
      values['idle-in-transaction-session-timeout'] ?? env.SLUICE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT ?? '0', 0, 2147483647),
  };
  checkTrust(config);
  return { help: false, config };
}

/** Trust (no users file) hands the database to whoever reaches the address: only loopback, unless asked for. */
function checkTrust(config: ServerConfig): void {
  if (config.usersFile !== null || config.insecureTrust || isLoopback(config.host)) return;
  throw new ConfigError(
    `without --users every client is trusted, and only on a loopback address; refusing to listen on ${config.host}. ` +
      'Start the server with --users to require passwords, listen on 127.0.0.1, or give --insecure-trust.',
  );
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new ConfigError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

function httpPort(text: string): number | null {
  return text.toLowerCase() === 'off' ? null : integer('http-port', text, 0, 65535);
}
