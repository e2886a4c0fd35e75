// A cursor over SUBSCRIBE: its rows are the subscription's, which arrive as epochs commit. The subscription pulls
// from the relation's durable change log, so the cursor asks it for the next group of rows (one epoch, or a part of
// a big one) only when a FETCH needs more than it holds: between FETCHes it holds the rest of one group (and the
// rows a canceled FETCH gave back), accounted against the server's cursor memory, and a cursor nobody fetches from
// falls behind the log until the subscription's lag limit ends it (53200), as a slow COPY subscriber would be.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { RowStreamResult } from '../backend';
import { estimateRowsBytes, type CursorMemory } from './memory';
import type { CursorRowSource, Row, TakeOptions } from './row-source';

type Group = readonly Row[];

export class SubscriptionRows implements CursorRowSource {
  private readonly groups: AsyncIterator<Group>;
  /** The rows not read yet, from `next` on (the rest of a group, or rows a canceled FETCH gave back), reserved. */
  private group: Group = [];
  private next = 0;
  private groupBytes = 0;
  /** A group was asked for and has not arrived: a FETCH that times out or is canceled leaves it to the next one. */
  private asked = false;
  /** Wakes the FETCH waiting for the group asked for. */
  private wakeFetch: (() => void) | null = null;
  /** Why the subscription ended (53200, 42P01, 57014 at close ...); FETCHes raise it once the held rows are read. */
  private failure: unknown = null;
  private ended = false;
  private closed = false;

  /**
   * `lifetime` is the controller of the signal the subscription runs under: aborting it ends the subscription.
   * Asks for the first group at once, so that the subscription starts (takes its position in the log, shows in
   * sluice.subscriptions) at DECLARE, not at the first FETCH.
   */
  constructor(stream: RowStreamResult, private readonly lifetime: AbortController, private readonly memory: CursorMemory) {
    this.groups = stream.rows[Symbol.asyncIterator]();
    // A subscription that fails while nobody fetches (too far behind, its relation dropped) lets go of the log at once.
    stream.failed?.catch((e: unknown) => this.stop(e));
    this.askForGroup();
  }

  get exhausted(): boolean {
    return this.ended && this.next >= this.group.length;
  }

  async take(n: number, { timeoutMs, signal }: TakeOptions): Promise<Row[]> {
    if (this.closed) throw new Error('rows taken from a closed cursor');
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const rows: Row[] = [];
    // The rows gathered stay accounted until the FETCH answers: one that waits long gathers many.
    let rowsBytes = 0;
    try {
      while (rows.length < n) {
        if (this.next < this.group.length) {
          const to = Math.min(this.group.length, this.next + (n - rows.length));
          for (let i = this.next; i < to; i++) rows.push(this.group[i]);
          this.next = to;
          if (this.next >= this.group.length) {
            rowsBytes += this.groupBytes;
            this.group = [];
            this.groupBytes = 0;
          }
          continue;
        }
        // Rows read before the failure go out first: the next FETCH raises it.
        if (this.failure !== null && rows.length > 0) break;
        if (this.failure !== null) throw this.failure;
        if (this.ended) break;
        if (!this.asked) this.askForGroup();
        if (!(await this.groupArrival(signal, deadline))) break;
      }
      return rows;
    } catch (e) {
      // A canceled FETCH answers nothing: the rows it gathered go back in front, for the next FETCH.
      if (!this.closed && rows.length > 0) {
        this.group = [...rows, ...this.group.slice(this.next)];
        this.next = 0;
        this.groupBytes += rowsBytes;
        rowsBytes = 0;
      }
      throw e;
    } finally {
      this.memory.release(rowsBytes);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop(canceled());
    this.memory.release(this.groupBytes);
    this.group = [];
    this.groupBytes = 0;
  }

  private askForGroup(): void {
    this.asked = true;
    void this.receiveGroup();
  }

  /** Pulls the next group from the subscription and keeps it, accounted; never rejects (a failure is kept). */
  private async receiveGroup(): Promise<void> {
    try {
      const r = await this.groups.next();
      if (r.done === true) {
        this.ended = true;
      } else if (!this.closed) {
        const bytes = estimateRowsBytes(r.value);
        this.memory.reserve(bytes);
        // After the unread rows: a canceled FETCH may have given some back while this group was on its way.
        this.group = this.next < this.group.length ? [...this.group.slice(this.next), ...r.value] : r.value;
        this.next = 0;
        this.groupBytes += bytes;
      }
    } catch (e) {
      this.stop(e);
    } finally {
      this.asked = false;
      const wake = this.wakeFetch;
      this.wakeFetch = null;
      wake?.();
    }
  }

  /**
   * Waits for the group asked for until `deadline` (undefined: for as long as it takes): true once it arrived, false
   * when the deadline passed first. A CancelRequest (`signal`) rejects with 57014; the group still comes, for later.
   */
  private groupArrival(signal: AbortSignal, deadline: number | undefined): Promise<boolean> {
    if (!this.asked) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (settleWith: () => void): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        this.wakeFetch = null;
        settleWith();
      };
      const abort = (): void => settle(() => reject(signal.reason instanceof SqlError ? signal.reason : canceled()));
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      if (deadline !== undefined) timer = setTimeout(() => settle(() => resolve(false)), Math.max(0, deadline - Date.now()));
      this.wakeFetch = () => settle(() => resolve(true));
    });
  }

  /** Ends the subscription (its log pin, its place in sluice.subscriptions), remembering why. */
  private stop(reason: unknown): void {
    this.failure ??= reason;
    this.lifetime.abort(reason);
    // Runs the subscription's cleanup now if it waits at a group it gave; after the one asked for if it is reading.
    Promise.resolve(this.groups.return?.()).catch(() => {});
  }
}

function canceled(): SqlError {
  return new SqlError(SQLSTATE.query_canceled, 'canceling statement due to user request');
}
