// The message loop of an authenticated session: one message at a time, in order. After an error in an extended
// query message, everything up to the next Sync is skipped, as PostgreSQL does, so a pipelined batch fails as a
// unit. Errors in statements keep the session; protocol violations (FATAL) end it.

import type { Logger } from '../log';
import type { Channel } from './channel';
import type { ServerContext } from './context';
import { decodeMessage, type FrontendMessage } from './messages-in';
import { errorOrNotice, readyForQuery } from './messages-out';
import { idleInTransactionTimeout, protocolViolation } from './errors';
import type { RawMessage } from './channel';
import { ExtendedQuery } from './extended-query';
import { StatementRunner } from './runner';
import type { ProtocolSession } from './session';
import { simpleQuery } from './simple-query';
import { SqlError, SQLSTATE } from '../../engine/errors';

type Handlers = { [K in FrontendMessage['kind']]: (m: Extract<FrontendMessage, { kind: K }>) => Promise<void> | void };

export class SessionLoop {
  private ignoreTillSync = false;
  /** ReadyForQuery was the last thing sent: the session waits for a command (idle, as pg_stat_activity says). */
  private awaitingCommand = true;
  private readonly extended: ExtendedQuery;
  private readonly runner: StatementRunner;
  private readonly handlers: Handlers;

  constructor(
    private readonly channel: Channel,
    private readonly session: ProtocolSession,
    private readonly ctx: ServerContext,
    log: Logger,
  ) {
    this.extended = new ExtendedQuery(channel, session, ctx.backend, ctx.maxMessageBytes);
    this.runner = new StatementRunner(channel, session, log, this.extended);
    this.extended.runner = this.runner;
    const ext = <M>(handle: (m: M) => Promise<void> | void) => (m: M) => this.extendedStep(() => handle(m));
    this.handlers = {
      query: (m) => {
        this.extended.dropUnnamed();
        return simpleQuery(m.sql, channel, session, ctx.backend, this.runner, ctx.maxMessageBytes).then(() => {
          if (session.transactionStatus === 'I') this.extended.transactionEnded();
        });
      },
      parse: ext((m) => this.extended.parse(m)),
      bind: ext((m) => this.extended.bind(m)),
      describe: ext((m) => this.extended.describe(m)),
      execute: ext((m) => this.extended.execute(m)),
      close: ext((m) => this.extended.close(m)),
      sync: () => this.sync(),
      flush: () => channel.flush(),
      terminate: () => {},
      // Outside COPY these are ignored, as the protocol says (a COPY that failed early leaves them in flight).
      copy_data: () => {},
      copy_done: () => {},
      copy_fail: () => {},
      function_call: () => {
        this.runner.reportError(new SqlError(SQLSTATE.feature_not_supported, 'the function call protocol is not supported'));
        channel.write(readyForQuery(session.transactionStatus));
      },
      password: () => {
        throw protocolViolation(`invalid frontend message type ${'p'.charCodeAt(0)}`);
      },
    };
  }

  /** Serves messages until Terminate or hang-up; throws for errors that end the connection. */
  async run(): Promise<void> {
    for (;;) {
      await this.channel.waitIfBehind();
      const raw = await this.nextMessage();
      if (raw === null) return;
      const m = decodeMessage(raw.type, raw.body);
      if (m.kind === 'terminate') return;
      this.awaitingCommand = false;
      if (this.ignoreTillSync && m.kind !== 'sync') continue;
      await (this.handlers[m.kind] as (m: FrontendMessage) => Promise<void> | void)(m);
      this.awaitingCommand = m.kind === 'query' || m.kind === 'sync' || m.kind === 'function_call';
    }
  }

  /**
   * The next message. Waiting for a command inside a transaction block longer than
   * idle_in_transaction_session_timeout ends the session with FATAL 25P03; closing it rolls the block back.
   */
  private async nextMessage(): Promise<RawMessage | null> {
    const read = this.channel.readMessage(this.ctx.maxMessageBytes);
    const timeoutMs = this.awaitingCommand ? this.session.idleTimeoutMs() : 0;
    if (timeoutMs === 0) return read;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(idleInTransactionTimeout()), timeoutMs);
    });
    read.catch(() => {}); // a read the timeout overtook ends with the connection; its outcome no longer matters
    try {
      return await Promise.race([read, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async extendedStep(step: () => Promise<void> | void): Promise<void> {
    this.channel.holdOutput();
    try {
      await step();
    } catch (e) {
      this.runner.reportError(e);
      this.ignoreTillSync = true;
    }
  }

  /** Ends the extended-query batch; outside a transaction block that also ends the implicit transaction. */
  private sync(): void {
    this.ignoreTillSync = false;
    if (this.session.transactionStatus === 'I') this.extended.transactionEnded();
    this.channel.write(readyForQuery(this.session.transactionStatus));
    this.channel.flush();
  }

  /** Tells the client the server is going away (57P01), used at shutdown. */
  static shutdownNotice(channel: Channel): void {
    channel.write(
      errorOrNotice('E', {
        severity: 'FATAL',
        code: SQLSTATE.admin_shutdown,
        message: 'terminating connection due to administrator command',
      }),
    );
  }
}
