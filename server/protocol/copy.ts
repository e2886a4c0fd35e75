// COPY FROM STDIN and COPY TO STDOUT: the sub-protocols that take over the connection while data flows.

import type { CopyInResult, CopyOutResult } from '../backend';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Channel } from './channel';
import { decodeMessage } from './messages-in';
import { COPY_DONE, commandComplete, copyData, copyInResponse, copyOutResponse } from './messages-out';
import { ClientGone } from './errors';
import { pumpGroups } from './streaming';

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

/**
 * The CopyData messages of a group of lines, framed once however many sessions send the same group (subscribers of
 * one relation share each epoch's encoded lines).
 */
const framedGroups = new WeakMap<readonly Uint8Array[], Buffer>();

function framed(lines: readonly Uint8Array[]): Buffer {
  let messages = framedGroups.get(lines);
  if (messages === undefined) {
    messages = Buffer.concat(lines.map((line) => copyData(line)));
    framedGroups.set(lines, messages);
  }
  return messages;
}

/**
 * Sends CopyOutResponse, one CopyData per line, then CopyDone and CommandComplete. The lines may never end (a
 * subscription): streaming.ts stops them on a CancelRequest, a hang-up or the result's failure.
 */
export async function copyOut(channel: Channel, result: CopyOutResult, signal: AbortSignal): Promise<void> {
  channel.write(copyOutResponse(result.columnCount));
  channel.flush();
  const sent = await pumpGroups(channel, result.lines, signal, result.failed, (lines) => {
    if (lines.length > 0) channel.write(framed(lines));
    return lines.length;
  });
  channel.write(COPY_DONE);
  channel.write(commandComplete(result.tag(sent)));
}
