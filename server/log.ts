// Structured logs on stderr: one JSON object per line, so they can be read by people and by log shippers alike.
// The level comes from SLUICE_LOG_LEVEL (debug | info | warn | error; default info).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line, e.g. the component or the connection id. */
  child(fields: Record<string, unknown>): Logger;
}

function parseLevel(s: string | undefined): LogLevel {
  return s === 'debug' || s === 'info' || s === 'warn' || s === 'error' ? s : 'info';
}

export function createLogger(
  level: LogLevel = parseLevel(process.env.SLUICE_LOG_LEVEL),
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields }, errorReplacer));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** For tests and embedding: a logger that drops everything. */
export const silentLogger: Logger = createLogger('error', {}, () => {});
