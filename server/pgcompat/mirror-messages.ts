// What the server's main thread and the mirror's worker thread (mirror-worker.ts) say to each other. Statements
// travel as PostgreSQL frontend protocol bytes and come back as PGlite's backend protocol bytes, so rows, field
// descriptions, notices and errors (SQLSTATE, position, detail, hint) arrive exactly as PostgreSQL wrote them and are
// read by the same parser on the main thread (wire.ts) whichever thread PGlite runs in.

import type { LogLevel } from '../log';
import type { SystemViewDef } from './system-views';

/** The worker's workerData: what bootMirrorDatabase needs, minus the logger (logs travel as messages). */
export interface MirrorWorkerSettings {
  readonly cacheDir?: string;
  readonly serverVersion: string;
  readonly versionString: string;
  readonly systemViews: readonly SystemViewDef[];
}

/** Main → worker. The worker handles them one at a time, in the order sent. */
export type MirrorRequest =
  /** Frontend protocol messages for PGlite's single session; answered by a `result` with the backend messages. */
  | { readonly kind: 'protocol'; readonly id: number; readonly bytes: Uint8Array }
  /** A simple query string (the catalog sync's DDL); answered by an empty `result` or an `error`. */
  | { readonly kind: 'exec'; readonly id: number; readonly sql: string }
  /** Close PGlite and end the thread. */
  | { readonly kind: 'close' };

/** Worker → main. */
export type MirrorReply =
  | { readonly kind: 'ready'; readonly templateFromCache: boolean }
  /** PGlite could not start; the thread ends after sending this. */
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'result'; readonly id: number; readonly bytes: Uint8Array | null }
  | { readonly kind: 'error'; readonly id: number; readonly message: string }
  | { readonly kind: 'log'; readonly level: LogLevel; readonly msg: string; readonly fields?: Record<string, unknown> };
