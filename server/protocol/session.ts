// The SessionState of one connection, as the backend sees it, plus what the protocol layer needs to cancel the
// statement it is running: on a CancelRequest, a hang-up, or when it outlives statement_timeout.

import type { SessionState } from '../backend';
import type { Channel } from './channel';
import { errorOrNotice, parameterStatus } from './messages-out';
import { durationMs } from '../session/settings';
import { queryCanceled, statementTimeout } from './errors';

/** setTimeout's longest delay (PostgreSQL's statement_timeout is at most INT_MAX milliseconds too). */
const MAX_TIMER_MS = 2_147_483_647;

/** client_min_messages levels, lowest first; a NOTICE is sent only when the setting is at or below 'notice'. */
const LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];

export type SessionActivity = 'active' | 'idle' | 'idle in transaction';

export class ProtocolSession implements SessionState {
  transactionStatus: 'I' | 'T' | 'E' = 'I';
  /** The running statement's controller: aborted by a matching CancelRequest or by the client hanging up. */
  private running: AbortController | null = null;
  /** Aborts the running statement when statement_timeout (read as it starts, as PostgreSQL does) runs out. */
  private timeout: NodeJS.Timeout | null = null;

  constructor(
    private readonly channel: Channel,
    readonly processId: number,
    readonly secret: number,
    readonly user: string,
    readonly database: string,
    readonly settings: Map<string, string>,
    readonly trusted = false,
  ) {
    channel.hungUpSignal.addEventListener('abort', () => this.hangUp(), { once: true });
  }

  notice(message: string, detail?: string): void {
    const level = LEVELS.indexOf(this.settings.get('client_min_messages') ?? 'notice');
    if (level > LEVELS.indexOf('notice')) return;
    this.channel.write(errorOrNotice('N', { severity: 'NOTICE', code: '00000', message, detail }));
  }

  parameterStatus(name: string, value: string): void {
    this.channel.write(parameterStatus(name, value));
  }

  /** Starts a statement: its signal aborts on cancel, hang-up or statement_timeout. Call `finished` when it is done. */
  startStatement(): AbortSignal {
    const controller = new AbortController();
    this.running = controller;
    if (this.channel.hungUpSignal.aborted) controller.abort(queryCanceled());
    const timeoutMs = durationMs(this.settings.get('statement_timeout') ?? '0');
    if (timeoutMs > 0) {
      this.timeout = setTimeout(() => controller.abort(statementTimeout()), Math.min(timeoutMs, MAX_TIMER_MS));
    }
    return controller.signal;
  }

  /**
   * How long the session may wait for its next command now: idle_in_transaction_session_timeout inside a
   * transaction block (failed or not, as PostgreSQL), else no limit (0).
   */
  idleTimeoutMs(): number {
    if (this.transactionStatus === 'I') return 0;
    return Math.min(durationMs(this.settings.get('idle_in_transaction_session_timeout') ?? '0'), MAX_TIMER_MS);
  }

  finished(): void {
    this.running = null;
    if (this.timeout !== null) clearTimeout(this.timeout);
    this.timeout = null;
  }

  /** What the session does now, in pg_stat_activity's words (as /metrics counts sessions). */
  get activity(): SessionActivity {
    if (this.running !== null) return 'active';
    return this.transactionStatus === 'I' ? 'idle' : 'idle in transaction';
  }

  /** A CancelRequest with this session's key: aborts the running statement, if any; nothing else. */
  cancel(): void {
    this.running?.abort(queryCanceled());
  }

  /** The client hung up (closed the connection or sent a FIN): stop whatever runs. */
  hangUp(): void {
    this.running?.abort(queryCanceled());
  }
}
