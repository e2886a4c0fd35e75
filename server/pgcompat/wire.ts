// Talking to PGlite in its own language: requests are serialized frontend protocol messages (pg-protocol's
// `serialize`), answers are raw backend messages parsed by pg-protocol's `Parser` in text mode. Values therefore stay
// exactly as PostgreSQL formatted them and type OIDs stay the real ones; nothing is re-formatted on the way through,
// not even across the thread boundary to PGlite's worker (mirror-thread.ts), which carries the bytes as they are.

import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser';
import type { BackendMessage, CommandCompleteMessage, DatabaseError, DataRowMessage, NoticeMessage, ParameterDescriptionMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages';
import type { FieldDescription } from '../backend';
import type { MirrorDatabase } from './mirror-thread';

/** What one extended-protocol round (Parse ... Sync) answered. */
export interface ExtendedResult {
  readonly paramTypeOids: readonly number[] | null;
  /** null for NoData; undefined when no Describe was sent or it did not run. */
  readonly fields: readonly FieldDescription[] | null | undefined;
  readonly rows: (string | null)[][];
  readonly commandTag: string | null;
  readonly notices: readonly NoticeMessage[];
  readonly error: DatabaseError | null;
}

/** `signal`: see MirrorDatabase.protocol. */
export async function exchange(db: MirrorDatabase, messages: readonly Buffer[], signal?: AbortSignal): Promise<BackendMessage[]> {
  const out = await db.protocol(Buffer.concat(messages), signal);
  const parsed: BackendMessage[] = [];
  new Parser().parse(Buffer.from(out.buffer, out.byteOffset, out.byteLength), (m) => parsed.push(m));
  return parsed;
}

/** Splits messages into the answers of successive queries / Syncs, each ending with ReadyForQuery. */
export function splitAtReadyForQuery(messages: readonly BackendMessage[]): BackendMessage[][] {
  const groups: BackendMessage[][] = [[]];
  for (const m of messages) {
    groups[groups.length - 1].push(m);
    if (m.name === 'readyForQuery') groups.push([]);
  }
  if (groups[groups.length - 1].length === 0) groups.pop();
  return groups;
}

export function readExtendedResult(messages: readonly BackendMessage[]): ExtendedResult {
  let paramTypeOids: readonly number[] | null = null;
  let fields: readonly FieldDescription[] | null | undefined;
  const rows: (string | null)[][] = [];
  let commandTag: string | null = null;
  const notices: NoticeMessage[] = [];
  let error: DatabaseError | null = null;
  for (const m of messages) {
    switch (m.name) {
      case 'parameterDescription':
        paramTypeOids = (m as ParameterDescriptionMessage).dataTypeIDs;
        break;
      case 'rowDescription':
        fields = (m as RowDescriptionMessage).fields.map((f) => ({
          name: f.name,
          typeOid: f.dataTypeID,
          typeSize: f.dataTypeSize,
          typeModifier: f.dataTypeModifier,
          tableOid: f.tableID,
          columnAttr: f.columnID,
        }));
        break;
      case 'noData':
        fields = null;
        break;
      case 'dataRow':
        rows.push((m as DataRowMessage).fields);
        break;
      case 'commandComplete':
        commandTag = (m as CommandCompleteMessage).text;
        break;
      case 'notice':
        notices.push(m as NoticeMessage);
        break;
      case 'error':
        error ??= m as DatabaseError;
        break;
      default:
        break;
    }
  }
  return { paramTypeOids, fields, rows, commandTag, notices, error };
}

export const frontend = {
  query: (sql: string): Buffer => serialize.query(sql),
  parse: (sql: string, types: readonly number[]): Buffer => serialize.parse({ text: sql, types: [...types] }),
  describeStatement: (): Buffer => serialize.describe({ type: 'S' }),
  describePortal: (): Buffer => serialize.describe({ type: 'P' }),
  bind: (values: readonly (string | null)[]): Buffer => serialize.bind({ values: [...values] }),
  execute: (): Buffer => serialize.execute({}),
  sync: (): Buffer => serialize.sync(),
};
