// One SUBSCRIBE: a reader of one relation's change log. It pulls from the log rather than buffering what is pushed,
// so a slow subscriber costs no memory, only log retention: it reads the epochs committed since it last read, sends
// them, and waits for the next commit. A subscriber too far behind (more unread epochs than the hub allows) is ended
// with 53200 even while it is not reading, so it cannot pin the log for ever.

import type { ChangeBatch } from '../batch';
import { canceledBy, SqlError, SQLSTATE } from '../errors';
import type { Schema } from '../types';
import type { SubscribeOptions } from './options';
import type { ChangeSource } from './sources';

/** What a subscription sends: an epoch's changes (several items for a big epoch, in a row), or a progress mark. */
export type SubscriptionItem =
  | { readonly kind: 'changes'; readonly epoch: bigint; readonly changes: ChangeBatch; readonly key: string | null }
  | { readonly kind: 'progress'; readonly epoch: bigint };

export interface SubscriptionLimits {
  /** Committed epochs not yet read past which a subscription ends with 53200. */
  readonly maxLagEpochs: number;
  /**
   * How long a continuous query's change log keeps an entry after it committed, in milliseconds, so that a dropped
   * subscriber can resume with from_epoch (result-log-retention.ts has the default).
   */
  readonly changelogRetentionMs?: number;
}

export class Subscription {
  /** The last epoch sent whole; a stream's log is kept from here on while the subscription lives. */
  private sent: bigint | null = null;
  private readonly startedAt = new Date();
  private wake: (() => void) | null = null;
  private failure: SqlError | null = null;
  private stopListening: () => void = () => {};
  /** Rejects when the subscription fails while its client is not reading (too far behind). */
  readonly failed: Promise<never>;
  private fail!: (e: SqlError) => void;

  constructor(
    readonly relation: string,
    private readonly source: ChangeSource,
    private readonly options: SubscribeOptions,
    private readonly limits: SubscriptionLimits,
    private readonly signal: AbortSignal,
    /** Told when the items start and when they end: a subscription never iterated holds nothing. */
    private readonly hooks: { readonly started: (s: Subscription) => void; readonly ended: (s: Subscription) => void },
  ) {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => {});
  }

  /** The relation's visible columns: what the changes hold. */
  get columns(): Schema {
    return this.source.columns;
  }

  get relationId(): number {
    return this.source.relationId;
  }

  /** The last epoch sent whole, or null before the first. */
  get position(): bigint | null {
    return this.sent;
  }

  get started(): Date {
    return this.startedAt;
  }

  /** Committed epochs not yet sent. */
  lag(): bigint {
    return this.sent === null ? 0n : this.source.newest() - this.sent;
  }

  /** The items, until the signal aborts (57014) or the subscription falls too far behind (53200). */
  async *items(): AsyncGenerator<SubscriptionItem> {
    this.stopListening = this.source.onCommit(() => this.committed());
    this.hooks.started(this);
    try {
      let sent = yield* this.start();
      this.sent = sent;
      for (;;) {
        this.check();
        const upTo = this.source.newest();
        if (upTo <= sent) {
          await this.nextCommit();
          continue;
        }
        let lastChanged = sent;
        for await (const c of this.source.changesAfter(sent, upTo)) {
          this.check();
          // Every epoch before this one has gone out whole: a long catch-up moves its position (and log pin) as it goes.
          if (c.epoch - 1n > this.sent!) this.sent = c.epoch - 1n;
          lastChanged = c.epoch;
          yield { kind: 'changes', epoch: c.epoch, changes: c.changes, key: c.key };
        }
        // The epochs after the last change committed with no change for this relation: say how far it is.
        if (this.options.progress && lastChanged < upTo) yield { kind: 'progress', epoch: upTo };
        sent = upTo;
        this.sent = sent;
      }
    } finally {
      this.stopListening();
      this.hooks.ended(this);
    }
  }

  /** The snapshot, a replay position, or now: the epoch the live changes continue after. */
  private async *start(): AsyncGenerator<SubscriptionItem, bigint> {
    const from = this.options.fromEpoch;
    if (from !== null) {
      // Checked again now that the subscription pins the log: a trim may have run since it was opened.
      this.checkResumable();
      return from;
    }
    if (!this.options.snapshot) return this.source.newest();
    const snapshot = await this.source.snapshot();
    for (const changes of snapshot.batches) {
      this.check();
      if (changes.data.numRows > 0) yield { kind: 'changes', epoch: snapshot.epoch, changes, key: null };
    }
    if (this.options.progress) yield { kind: 'progress', epoch: snapshot.epoch };
    return snapshot.epoch;
  }

  /** from_epoch: every change after it must still be in the log (SQLSTATE 55000 otherwise, naming the oldest). */
  checkResumable(): void {
    const from = this.options.fromEpoch;
    const oldest = this.source.oldestResumable();
    if (from !== null && from < oldest) {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state,
        `cannot subscribe to "${this.relation}" from epoch ${from}: the oldest epoch its change log keeps changes after is ${oldest}`, {
          detail: `The changes up to epoch ${oldest} were trimmed from the log.`,
          hint: `Resume with from_epoch = ${oldest} or more, or subscribe with a snapshot.`,
        });
    }
  }

  /** Ends the subscription with `error`, whether its client is reading or not. */
  end(error: SqlError): void {
    if (this.failure === null) {
      this.failure = error;
      this.fail(error);
    }
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private committed(): void {
    const lag = this.lag();
    if (lag > BigInt(this.limits.maxLagEpochs)) {
      this.end(new SqlError(SQLSTATE.out_of_memory,
        `subscription to "${this.relation}" ended: the client fell ${lag} epochs behind (the limit is ${this.limits.maxLagEpochs})`, {
          hint: 'Read the subscription faster, or resume it later with from_epoch set to the last epoch received.',
        }));
      return;
    }
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private nextCommit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const abort = (): void => reject(canceledBy(this.signal));
      if (this.signal.aborted) return abort();
      this.signal.addEventListener('abort', abort, { once: true });
      this.wake = () => {
        this.signal.removeEventListener('abort', abort);
        resolve();
      };
    });
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
    if (this.signal.aborted) throw canceledBy(this.signal);
  }
}
