// The simple query protocol: one Query message holding any number of statements. Each statement's results go out
// in text format; the first error stops the rest; one ReadyForQuery ends it all.

import type { Backend, StatementResult } from '../backend';
import type { Channel } from './channel';
import type { ProtocolSession } from './session';
import type { StatementRunner } from './runner';
import { EMPTY_QUERY_RESPONSE, readyForQuery, rowDescription } from './messages-out';
import { valueEncoder } from './values';
import { sessionTimeZone } from '../session/settings';
import { copyIn, copyOut } from './copy';
import { sendRowStream } from './streaming';

export async function simpleQuery(
  sql: string,
  channel: Channel,
  session: ProtocolSession,
  backend: Backend,
  runner: StatementRunner,
  maxMessageBytes: number,
): Promise<void> {
  const respond = async (result: StatementResult, signal: AbortSignal): Promise<void> => {
    switch (result.kind) {
      case 'command':
        runner.commandComplete(result.tag);
        return;
      case 'rows': {
        channel.write(rowDescription(result.fields, []));
        const encoders = result.fields.map((f) => valueEncoder(f.typeOid, 0, sessionTimeZone(session)));
        await runner.sendRows(result.rows, 0, result.rows.length, encoders);
        runner.commandComplete(result.tag(result.rows.length));
        return;
      }
      case 'row_stream': {
        channel.write(rowDescription(result.fields, []));
        const encoders = result.fields.map((f) => valueEncoder(f.typeOid, 0, sessionTimeZone(session)));
        runner.commandComplete(result.tag(await sendRowStream(channel, result, encoders, signal)));
        return;
      }
      case 'copy_in':
        return copyIn(channel, result, maxMessageBytes);
      case 'copy_out':
        return copyOut(channel, result, signal);
    }
  };
  try {
    const statements = await backend.prepare(sql, [], session);
    if (statements.length === 0) channel.write(EMPTY_QUERY_RESPONSE);
    for (const stmt of statements) await runner.run(stmt, [], respond);
  } catch (e) {
    runner.reportError(e);
  }
  channel.write(readyForQuery(session.transactionStatus));
  channel.flush();
}
