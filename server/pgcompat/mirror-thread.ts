// The main thread's handle on the catalog mirror's worker thread (mirror-worker.ts, which owns PGlite). Requests go
// out as messages (mirror-messages.ts) with an id; the worker answers them one at a time, in order. When the thread
// ends (PGlite failed to start, crashed, or was closed), every request still waiting is rejected with a 57P03 error
// and the handle reports `stopped`, so the catalog mirror starts a new thread for the next catalog statement: a
// broken mirror fails catalog statements, never hangs a session or takes the server down.
//
// PGlite cannot interrupt a statement it is running (WebAssembly has no signals), so a request canceled while the
// worker runs it (CancelRequest, statement_timeout, the catalog statement time limit) terminates the thread: the
// request fails with the cancel's error at once, and the next catalog statement starts a new thread.
//
// The worker is compiled by tsc like everything else and loaded from dist/ next to this module, so `npm start`, the
// tests and the bench all find it. An idle thread does not keep the process alive; one with work in flight does.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { canceledBy, SqlError, SQLSTATE } from '../../engine/errors';
import type { Logger } from '../log';
import type { MirrorReply, MirrorRequest, MirrorWorkerSettings } from './mirror-messages';

const WORKER_FILE = path.join(__dirname, 'mirror-worker.js');
/** How long close() lets PGlite shut down cleanly before terminating the thread. */
const CLOSE_DEADLINE_MS = 5_000;

/** What catalog statements and the catalog sync need of the mirror database. */
export interface MirrorDatabase {
  /**
   * Sends frontend protocol messages to PGlite's one session; resolves its backend messages, as bytes. When `signal`
   * aborts first, rejects with its reason (as SqlError) and the database stops.
   */
  protocol(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Runs a simple query string (DDL); rejects with PostgreSQL's message. */
  exec(sql: string): Promise<void>;
}

interface Waiting {
  resolve(bytes: Uint8Array | null): void;
  reject(e: Error): void;
}

export class MirrorThread implements MirrorDatabase {
  /** Resolves once PGlite is ready (whether its template came from the cache); rejects if the thread ends first. */
  readonly ready: Promise<{ readonly templateFromCache: boolean }>;
  private readonly worker: Worker;
  private readonly log: Logger;
  private readonly waiting = new Map<number, Waiting>();
  private readonly ended: Promise<void>;
  private nextId = 1;
  private starting = true;
  /** Why the thread ended; null while it runs. */
  private endReason: string | null = null;
  private lastError: string | null = null;

  constructor(settings: MirrorWorkerSettings, log: Logger) {
    this.log = log;
    this.worker = new Worker(WORKER_FILE, { workerData: settings });
    let becameReady!: (ready: { templateFromCache: boolean }) => void;
    let failedToStart!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      becameReady = resolve;
      failedToStart = reject;
    });
    this.worker.on('message', (reply: MirrorReply) => {
      if (reply.kind === 'ready') {
        this.starting = false;
        this.updateRef();
        becameReady({ templateFromCache: reply.templateFromCache });
      } else {
        this.receive(reply);
      }
    });
    this.worker.on('error', (e: Error) => (this.lastError = e.message));
    this.ended = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.endReason = this.lastError ?? `its thread exited with code ${code}`;
        failedToStart(new Error(this.endReason));
        this.rejectWaiting();
        resolve();
      });
    });
    this.updateRef();
  }

  /** The thread has ended: requests fail, and a new MirrorThread is needed. */
  get stopped(): boolean {
    return this.endReason !== null;
  }

  async protocol(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (signal?.aborted) throw canceledBy(signal);
    const stop = (): void => this.stop(canceledBy(signal as AbortSignal));
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return (await this.request((id) => ({ kind: 'protocol', id, bytes: request }))) ?? new Uint8Array();
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.request((id) => ({ kind: 'exec', id, sql }));
  }

  /** Closes PGlite and ends the thread; terminates it if it does not end within CLOSE_DEADLINE_MS. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.worker.ref();
    this.worker.postMessage({ kind: 'close' } satisfies MirrorRequest);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_DEADLINE_MS)));
    const outcome = await Promise.race([this.ended, deadline]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.log.warn('catalog mirror thread did not close in time; terminating it', { deadlineMs: CLOSE_DEADLINE_MS });
      await this.worker.terminate();
    }
  }

  /** Fails every request in flight with `error` and terminates the thread, whatever it is running. */
  private stop(error: SqlError): void {
    if (this.endReason !== null) return;
    this.endReason = `a catalog statement was stopped: ${error.message}`;
    this.lastError = this.endReason;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    this.log.warn('catalog statement stopped; terminating the catalog mirror thread', { reason: error.message });
    void this.worker.terminate();
  }

  private request(make: (id: number) => MirrorRequest): Promise<Uint8Array | null> {
    if (this.endReason !== null) return Promise.reject(this.stoppedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.updateRef();
      this.worker.postMessage(make(id));
    });
  }

  private receive(reply: Exclude<MirrorReply, { kind: 'ready' }>): void {
    switch (reply.kind) {
      case 'log':
        this.log[reply.level](reply.msg, reply.fields);
        return;
      case 'failed':
        this.lastError = reply.message;
        return;
      case 'result':
      case 'error': {
        const waiting = this.waiting.get(reply.id);
        if (waiting === undefined) return;
        this.waiting.delete(reply.id);
        this.updateRef();
        if (reply.kind === 'result') waiting.resolve(reply.bytes);
        else waiting.reject(new Error(reply.message));
        return;
      }
    }
  }

  private rejectWaiting(): void {
    const error = this.stoppedError();
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }

  private stoppedError(): SqlError {
    return new SqlError(SQLSTATE.cannot_connect_now,
      `the system catalog is not available: the catalog mirror stopped (${this.endReason}); the next catalog statement restarts it`);
  }

  /** Holds the process open only while PGlite starts or a request is in flight. */
  private updateRef(): void {
    if (this.starting || this.waiting.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}
