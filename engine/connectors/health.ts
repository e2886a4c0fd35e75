// A source's or sink's health as sluice.sources shows it: running; waiting for its far end (a broker, a directory,
// an upstream database) and retrying; or failed, stopped for good with the reason. Every connector kind keeps one,
// so the states mean the same everywhere and each change is logged the same way: an outage once when it starts (and
// when its reason changes), not at every retry; its end once; a failure once.

import type { ConnectorLog } from './connector';

export type ConnectorState = 'running' | 'waiting' | 'failed';

export class ConnectorHealth {
  private current: ConnectorState = 'waiting';
  private error: string | null = null;

  /**
   * `what` names the connector in log lines ("Kafka source"); `fields` go with each line (the relation, the topic);
   * `outage` is the warning an outage logs ("Kafka source waiting for the broker").
   */
  constructor(
    private readonly log: ConnectorLog, private readonly what: string, private readonly fields: Record<string, unknown>,
    private readonly outage: string,
  ) {}

  get state(): ConnectorState {
    return this.current;
  }

  /** Why it is waiting or failed; null while all is well. */
  get lastError(): string | null {
    return this.error;
  }

  get failed(): boolean {
    return this.current === 'failed';
  }

  /** Its far end answered: running (again), unless it failed meanwhile. */
  running(): void {
    if (this.current === 'failed') return;
    if (this.current === 'waiting' && this.error !== null) this.log.info(`${this.what} resumed`, this.fields);
    this.current = 'running';
    this.error = null;
  }

  /** Its far end cannot be reached or refused it (`error`); it retries after `retryInMs`. */
  waiting(error: string, retryInMs: number): void {
    if (this.current === 'failed') return;
    if (this.current !== 'waiting' || this.error !== error) this.log.warn(this.outage, { ...this.fields, error, retryInMs });
    this.current = 'waiting';
    this.error = error;
  }

  /** Stopped for good, for `message`; the first failure is the one kept. */
  fail(message: string): void {
    if (this.current === 'failed') return;
    this.current = 'failed';
    this.error = message;
    this.log.error(`${this.what} failed`, { ...this.fields, error: message });
  }
}
