// COPY FROM STDIN and COPY TO STDOUT: the sub-protocols that take over the connection while data flows.

import type { CopyInResult, CopyOutResult } from '../backend';
import type { Value } from '../../engine/types';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Channel } from './channel';
import { decodeMessage } from './messages-in';
import { COPY_DONE, commandComplete, copyData, copyInResponse, copyOutResponse } from './messages-out';
import { ClientGone, queryCanceled } from './errors';
import { formatText } from './values';

/**
 * Sends CopyInResponse and feeds CopyData to the backend until CopyDone (then CommandComplete) or CopyFail. Flush
 * and Sync are ignored meanwhile, as the protocol says; any other message ends the COPY with an error.
 */
export async function copyIn(channel: Channel, result: CopyInResult, maxMessageBytes: number): Promise<void> {
  channel.write(copyInResponse(result.columnCount));
  channel.flush();
  for (;;) {
    let raw;
    try {
      raw = await channel.readMessage(maxMessageBytes);
    } catch (e) {
      result.abort('protocol violation during COPY');
      throw e;
    }
    if (raw === null) {
      result.abort('client connection ended during COPY');
      throw new ClientGone();
    }
    const m = decodeMessage(raw.type, raw.body);
    switch (m.kind) {
      case 'copy_data':
        try {
          await result.write(m.data);
        } catch (e) {
          result.abort(e instanceof Error ? e.message : String(e));
          throw e;
        }
        break;
      case 'copy_done':
        channel.write(commandComplete(await result.end()));
        return;
      case 'copy_fail':
        result.abort(m.message);
        throw new SqlError(SQLSTATE.query_canceled, `COPY from stdin failed: ${m.message}`);
      case 'flush':
      case 'sync':
        break;
      case 'terminate':
        result.abort('client terminated the connection during COPY');
        throw new ClientGone();
      default:
        result.abort('unexpected message during COPY');
        throw new SqlError(
          SQLSTATE.protocol_violation,
          `unexpected message type 0x${raw.type.toString(16).toUpperCase().padStart(2, '0')} during COPY from stdin`,
        );
    }
  }
}

/** COPY's text format: tab-separated, \N for NULL, backslash escapes for the characters that would break a line. */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

function copyLine(row: readonly Value[], oids: readonly number[]): string {
  return (
    row.map((v, i) => (v === null ? '\\N' : formatText(v, oids[i]).replace(/[\\\n\r\t\b\f\v]/g, (c) => ESCAPES[c]))).join('\t') +
    '\n'
  );
}

/**
 * Sends CopyOutResponse, one CopyData per row, then CopyDone and CommandComplete. The rows may never end (a
 * subscription): waiting for the next row races the cancel signal, so a CancelRequest or a hang-up stops it.
 */
export async function copyOut(channel: Channel, result: CopyOutResult, signal: AbortSignal): Promise<void> {
  const oids = result.fields.map((f) => f.typeOid);
  channel.write(copyOutResponse(result.fields.length));
  channel.flush();
  const rows = result.rows[Symbol.asyncIterator]();
  const aborted = new Promise<never>((_, reject) => {
    const fail = (): void => reject(queryCanceled());
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {});
  let sent = 0;
  try {
    for (;;) {
      const next = rows.next();
      next.catch(() => {}); // if the race is lost to a cancel, its later outcome must not go unhandled
      const r = await Promise.race([next, aborted]);
      if (r.done) break;
      channel.write(copyData(Buffer.from(copyLine(r.value, oids), 'utf8')));
      sent++;
      if (sent % 256 === 0) await channel.drain(); // a slow reader holds back the rows, not our memory
    }
  } catch (e) {
    Promise.resolve(rows.return?.()).catch(() => {});
    throw e;
  }
  channel.write(COPY_DONE);
  channel.write(commandComplete(result.tag(sent)));
}
