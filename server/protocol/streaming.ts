// Results that keep coming (SUBSCRIBE's DataRows, COPY TO's CopyData): one group at a time, each flushed as it
// arrives, and the next one asked for only once the socket has taken the last (no more than one group's bytes wait
// in this process for a slow client). Waiting for a group or for the client races the statement's signal and the
// result's own failure, so a CancelRequest (57014), a hang-up or a subscriber falling too far behind ends it even
// while nothing comes or the client reads nothing.

import type { RowStreamResult } from '../backend';
import type { Channel } from './channel';
import { ClientGone } from './errors';
import { canceledBy } from '../../engine/errors';
import { dataRow } from './messages-out';
import type { ValueEncoder } from './values';

/** Sends every group with `send` (which writes it and returns how many rows it held); resolves the rows sent. */
export async function pumpGroups<G>(
  channel: Channel, groups: AsyncIterable<G>, signal: AbortSignal, failed: Promise<never> | undefined,
  send: (group: G) => number,
): Promise<number> {
  const it = groups[Symbol.asyncIterator]();
  const stopped = new Promise<never>((_, reject) => {
    const cancel = (): void => reject(canceledBy(signal));
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    failed?.catch(reject);
  });
  stopped.catch(() => {});
  let sent = 0;
  try {
    for (;;) {
      const next = it.next();
      next.catch(() => {}); // when the race is lost to a cancel, the later outcome must not go unhandled
      const r = await Promise.race([next, stopped]);
      if (r.done) return sent;
      sent += send(r.value);
      await Promise.race([channel.drain(), stopped]);
      if (channel.isClosed) throw new ClientGone();
    }
  } catch (e) {
    Promise.resolve(it.return?.()).catch(() => {});
    throw e;
  }
}

/** A row stream's groups as DataRows; resolves the rows sent. */
export function sendRowStream(channel: Channel, result: RowStreamResult, encoders: readonly ValueEncoder[], signal: AbortSignal): Promise<number> {
  return pumpGroups(channel, result.rows, signal, result.failed, (rows) => {
    for (const row of rows) {
      channel.write(dataRow(encoders.map((encode, c) => (row[c] === null || row[c] === undefined ? null : encode(row[c]!)))));
    }
    return rows.length;
  });
}
