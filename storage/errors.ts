// Errors of the storage layer. They say which data directory and which LevelDB cause they are about, because an
// operator reads them in a startup log, and they carry a reason; storage knows nothing of SQL, so the engine gives
// each reason its SQLSTATE when the error reaches a client (engine/errors.ts toSqlError).

export type StorageErrorReason =
  /** Another process holds the LevelDB lock on the directory. */
  | 'locked'
  /** Stored bytes fail a checksum, do not decode, or LevelDB reports corruption. */
  | 'corrupt'
  /** The directory was written by an incompatible format version. */
  | 'version'
  /** An I/O failure from the file system. */
  | 'io'
  /** The file system has no room for a write; the store reopens itself once it has (disk-full.ts). */
  | 'disk_full'
  /** The store was closed, or an earlier write failed and the store refuses further work. */
  | 'closed'
  /** A caller broke a storage invariant (a bug in Sluice). */
  | 'internal';

export class StorageError extends Error {
  readonly reason: StorageErrorReason;
  override readonly cause: unknown;
  /** What an operator can do about it, when there is something. */
  readonly hint: string | undefined;

  constructor(reason: StorageErrorReason, message: string, cause?: unknown, hint?: string) {
    const causeText = cause === undefined ? '' : `: ${describeCause(cause)}`;
    super(message + causeText);
    this.name = 'StorageError';
    this.reason = reason;
    this.cause = cause;
    this.hint = hint;
  }
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const inner = (cause as { cause?: unknown }).cause;
    const own = typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
    // abstract-level wraps the binding's error (LEVEL_LOCKED, LEVEL_CORRUPTION) in LEVEL_DATABASE_NOT_OPEN.
    return inner === undefined ? own : `${own} (${describeCause(inner)})`;
  }
  return String(cause);
}

/** The innermost LevelDB error code in a chain of causes, e.g. LEVEL_LOCKED under LEVEL_DATABASE_NOT_OPEN. */
export function levelErrorCodes(e: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cur = (cur as { cause?: unknown }).cause;
  }
  return codes;
}

export function internalError(message: string): StorageError {
  return new StorageError('internal', `internal error: ${message}`, undefined,
    'This is a bug in Sluice; please report it.');
}
