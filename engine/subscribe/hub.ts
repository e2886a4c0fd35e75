// Every live subscription of the server: what sluice.subscriptions shows, what keeps a stream's log from being
// trimmed past a subscriber (pinnedSeq), the limit on how far one may fall behind, and the encoded COPY lines the
// subscriptions share.

import { SqlError, SQLSTATE } from '../errors';
import type { SubscribeOptions } from './options';
import { EncodedLines } from './encode';
import type { ChangeSource } from './sources';
import { Subscription, type SubscriptionLimits } from './subscription';

/** Encoded lines kept for sharing between subscribers. */
const SHARED_LINES_BYTES = 32 * 1024 * 1024;

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { maxLagEpochs: 10_000 };

export class SubscriptionHub {
  private readonly live = new Set<Subscription>();
  readonly encoded = new EncodedLines(SHARED_LINES_BYTES);

  constructor(private readonly limits: SubscriptionLimits = DEFAULT_SUBSCRIPTION_LIMITS) {}

  open(relation: string, source: ChangeSource, options: SubscribeOptions, signal: AbortSignal): Subscription {
    const subscription = new Subscription(relation, source, options, this.limits, signal, {
      started: (s) => void this.live.add(s),
      ended: (s) => void this.live.delete(s),
    });
    // Before any response: a client asking for a trimmed epoch gets the error instead of an empty COPY.
    subscription.checkResumable();
    return subscription;
  }

  /** A relation was dropped: its subscriptions end (as in Materialize), with 42P01. */
  relationDropped(relation: string): void {
    for (const s of this.live) {
      if (s.relation !== relation) continue;
      s.end(new SqlError(SQLSTATE.undefined_table, `subscription to "${relation}" ended: the relation was dropped`));
    }
  }

  subscriptions(): readonly Subscription[] {
    return [...this.live];
  }

  /**
   * The last epoch every live subscription of a relation has sent whole (a stream's or table's log entry, a query's
   * epoch): a trim must keep what comes after.
   * 0 while one of them has not started reading (it may still need everything); undefined when there is none.
   */
  pinnedSeq(relationId: number): bigint | undefined {
    let pin: bigint | undefined;
    for (const s of this.live) {
      if (s.relationId !== relationId) continue;
      const at = s.position ?? 0n;
      if (pin === undefined || at < pin) pin = at;
    }
    return pin;
  }
}
