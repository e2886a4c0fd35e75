// Server settings from the command line, then environment variables (SLUICE_*), then defaults.

import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CURSOR_MEMORY_MB } from './cursors/memory';
import { DEFAULT_SUBSCRIPTION_LIMITS } from '../engine/subscribe/hub';
import { isLoopback } from './http/auth';
import { defaultMemoryLimitMb } from '../engine/memory/limit';
import { DEFAULT_RESULT_LOG_RETENTION_MS } from '../engine/runtime/result-log-retention';
import { DEFAULT_MAX_STATEMENT_MB } from './execute/statement-size';

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
  readonly changelogRetentionMs: number;
  /** Megabytes the server's statements and continuous queries may hold together (engine/memory/limit.ts). */
  readonly memoryLimitMb: number;
  /** Session defaults of statement_timeout and idle_in_transaction_session_timeout (0: none), below role settings. */
  readonly statementTimeoutMs: number;
  readonly idleInTransactionSessionTimeoutMs: number;
  /** Megabytes of SQL text one statement may hold; past it the statement fails with 54000. */
  readonly maxStatementMb: number;
  /** Verify this data directory offline, print what was found and exit (server/check-data-dir.ts); null: serve. */
  readonly checkDataDir: string | null;
  /** PEM files for TLS on the wire port (and HTTPS on the HTTP port); null when TLS is off. */
  readonly tls: TlsFiles | null;
  /** Plaintext sessions are refused with 28000; needs `tls`. */
  readonly tlsRequired: boolean;
  /** The directory file sources and sinks may read and write under; null: connector = 'file' is refused (42501). */
  readonly fileConnectorDir: string | null;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** Client certificates are verified against these CAs when presented; null: none is asked for. */
  readonly caFile: string | null;
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
  --changelog-retention MS how long a continuous query's change log keeps an entry that no reader
                           needs, for SUBSCRIBE ... from_epoch (SLUICE_CHANGELOG_RETENTION)  default 60000
  --memory-limit MB        memory statements and continuous queries may hold together; a statement
                           past its share fails with 53200 (SLUICE_MEMORY_LIMIT)
                                                    default 3/4 of Node's heap limit
  --tls-cert FILE          PEM certificate (chain) for TLS: SSLRequest is answered 'S' and the HTTP API
                           serves HTTPS (SLUICE_TLS_CERT); needs --tls-key
  --tls-key FILE           PEM private key of --tls-cert (SLUICE_TLS_KEY)
  --tls-ca FILE            PEM CA certificates: a client presenting a certificate must be signed by one
                           (clients without one still log in by password) (SLUICE_TLS_CA)
  --tls-required           refuse plaintext sessions with 28000; needs --tls-cert (SLUICE_TLS_REQUIRED=1)
  --check-data-dir DIR     verify the data directory DIR offline (format, damage, lost writes), print
                           what was found and exit: 0 if it is sound, 1 if not
  --max-statement-size MB  SQL text one statement may hold; past it the statement fails with 54000
                           (SLUICE_MAX_STATEMENT_SIZE)                    default 16, at most 60
  --statement-timeout MS   every session's default statement_timeout; a role's ALTER ROLE ... SET and
                           the session's SET override it (SLUICE_STATEMENT_TIMEOUT)   default 0 (none)
  --idle-in-transaction-session-timeout MS
                           every session's default idle_in_transaction_session_timeout, overridden
                           likewise (SLUICE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT)  default 0 (none)
  --file-connector-dir DIR file sources and sinks (connector = 'file') may read and write only under DIR;
                           without it they are refused with 42501 (SLUICE_FILE_CONNECTOR_DIR)
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
        'changelog-retention': { type: 'string' },
        'memory-limit': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-required': { type: 'boolean' },
        'check-data-dir': { type: 'string' },
        'max-statement-size': { type: 'string' },
        'statement-timeout': { type: 'string' },
        'idle-in-transaction-session-timeout': { type: 'string' },
        'file-connector-dir': { type: 'string' },
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
    changelogRetentionMs: integer('changelog-retention',
      values['changelog-retention'] ?? env.SLUICE_CHANGELOG_RETENTION ?? String(DEFAULT_RESULT_LOG_RETENTION_MS), 0, 1e9),
    memoryLimitMb: integer('memory-limit', values['memory-limit'] ?? env.SLUICE_MEMORY_LIMIT ?? String(defaultMemoryLimitMb()), 16, 1_000_000),
    tls: tlsFiles(values['tls-cert'] ?? env.SLUICE_TLS_CERT, values['tls-key'] ?? env.SLUICE_TLS_KEY,
      values['tls-ca'] ?? env.SLUICE_TLS_CA),
    tlsRequired: values['tls-required'] ?? env.SLUICE_TLS_REQUIRED === '1',
    checkDataDir: values['check-data-dir'] ?? null,
    // At most 60: a statement must fit in one protocol message (64 MB) to be answered with 54000.
    maxStatementMb: integer('max-statement-size',
      values['max-statement-size'] ?? env.SLUICE_MAX_STATEMENT_SIZE ?? String(DEFAULT_MAX_STATEMENT_MB), 1, 60),
    // PostgreSQL's bound for both: INT_MAX milliseconds.
    statementTimeoutMs: integer('statement-timeout', values['statement-timeout'] ?? env.SLUICE_STATEMENT_TIMEOUT ?? '0', 0, 2147483647),
    idleInTransactionSessionTimeoutMs: integer('idle-in-transaction-session-timeout',
      values['idle-in-transaction-session-timeout'] ?? env.SLUICE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT ?? '0', 0, 2147483647),
    fileConnectorDir: fileConnectorDir(values['file-connector-dir'] ?? env.SLUICE_FILE_CONNECTOR_DIR),
  };
  if (config.tlsRequired && config.tls === null) throw new ConfigError('--tls-required needs --tls-cert and --tls-key');
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

function tlsFiles(certFile: string | undefined, keyFile: string | undefined, caFile: string | undefined): TlsFiles | null {
  if (certFile === undefined && keyFile === undefined) {
    if (caFile !== undefined) throw new ConfigError('--tls-ca needs --tls-cert and --tls-key');
    return null;
  }
  if (certFile === undefined || keyFile === undefined) throw new ConfigError('--tls-cert and --tls-key go together');
  return { certFile, keyFile, caFile: caFile ?? null };
}

function fileConnectorDir(dir: string | undefined): string | null {
  if (dir === undefined || dir === '') return null;
  if (!isAbsolute(dir)) throw new ConfigError(`--file-connector-dir must be an absolute path, got "${dir}"`);
  return resolve(dir);
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
