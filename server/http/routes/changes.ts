// GET /api/v1/{streams|tables|queries}/{name}/changes: a SUBSCRIBE as server-sent events. Underneath it is
// `SUBSCRIBE TO name WITH (...)` run through the Backend like any statement, so the options, the errors and the limits
// (a subscriber too far behind ends with 53200) are SUBSCRIBE's own. Each group of rows the subscription sends (an
// epoch's changes) is one event: `id:` its epoch, so that a reconnecting EventSource's Last-Event-ID resumes after
// it (from_epoch), and `data:` {epoch, changes: [{diff, row: {column: value}}]} with POST /api/v1/sql's JSON values.
// An epoch that committed with no change (progress=true) is an event with no changes. Comments keep an idle
// connection alive. Events go out one at a time, each once the socket took the last, so a slow client holds the
// subscription back (and is ended like a slow SUBSCRIBE) rather than filling this process's memory.

import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FieldDescription, RowStreamResult } from '../../backend';
import { canceledBy, SQLSTATE, toSqlError } from '../../../engine/errors';
import type { Value } from '../../../engine/types';
import { errorBody, HttpError } from '../errors';
import { jsonValue, type JsonValue } from '../json-values';
import type { ApiRequest } from '../request';
import { UTC_ZONE } from '../../../engine/values/zone';

/** How often an idle event stream gets a comment, so proxies and clients do not take it for dead. */
export const HEARTBEAT_MS = 15_000;

/** What SUBSCRIBE takes, by the kind in the path: the sluice.* view listing them and their noun. */
const KINDS: Readonly<Record<string, { readonly view: string; readonly noun: string }>> = {
  streams: { view: 'streams', noun: 'stream' },
  tables: { view: 'tables', noun: 'table' },
  queries: { view: 'queries', noun: 'continuous query' },
};

export async function streamChanges(req: ApiRequest): Promise<'answered'> {
  const kind = Object.hasOwn(KINDS, req.params.kind) ? KINDS[req.params.kind] : undefined;
  if (kind === undefined) throw new HttpError(404, SQLSTATE.undefined_object, `no such resource: /api/v1/${req.params.kind}`);
  const name = req.params.name;
  const found = await req.api.sql.rows(req.user, `SELECT name FROM sluice.${kind.view} WHERE name = $1`, [name], req.signal);
  if (found.length === 0) throw new HttpError(404, SQLSTATE.undefined_table, `${kind.noun} "${name}" does not exist`);
  const sql = `SUBSCRIBE TO ${quoteIdent(name)}${withOptions(req)}`;
  await req.api.sql.stream(req.user, sql, req.signal, (result) => sendEvents(req.response, result, req.signal));
  return 'answered';
}

/** The query's snapshot, progress and from_epoch as SUBSCRIBE's options; Last-Event-ID stands for from_epoch. */
function withOptions(req: ApiRequest): string {
  const options: string[] = [];
  for (const key of ['snapshot', 'progress', 'from_epoch']) {
    const value = req.query.get(key) ?? (key === 'from_epoch' ? lastEventId(req) : null);
    if (value !== null) options.push(`${key} = '${value.replaceAll("'", "''")}'`);
  }
  return options.length === 0 ? '' : ` WITH (${options.join(', ')})`;
}

function lastEventId(req: ApiRequest): string | null {
  const id = req.request.headers['last-event-id'];
  return typeof id === 'string' && id !== '' ? id : null;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function sendEvents(response: ServerResponse, result: RowStreamResult, signal: AbortSignal): Promise<void> {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  response.write(': subscribed\n\n');
  const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
  const stopped = new Promise<never>((_, reject) => {
    const cancel = (): void => reject(canceledBy(signal));
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    result.failed?.catch(reject);
  });
  stopped.catch(() => {});
  const events = new EventWriter(result.fields);
  const it = result.rows[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = it.next();
      next.catch(() => {}); // when the race is lost to a stop, the later outcome must not go unhandled
      const r = await Promise.race([next, stopped]);
      if (r.done) break;
      let flushed = true;
      for (const event of events.of(r.value)) flushed = response.write(event);
      if (!flushed) await Promise.race([once(response, 'drain'), stopped]);
    }
    response.end();
  } catch (e) {
    // The client went away, or the server is closing: the stream just ends. Anything else ends it with an error
    // event carrying the SQLSTATE (53200 for a subscriber too far behind), as SUBSCRIBE's ErrorResponse would.
    if (signal.aborted) response.end();
    else response.end(`event: error\ndata: ${JSON.stringify(errorBody(toSqlError(e)))}\n\n`);
  } finally {
    clearInterval(heartbeat);
    Promise.resolve(it.return?.()).catch(() => {});
  }
}

/** A subscription's rows as events: one per epoch in a group (a group holds one epoch's rows, or a part of one). */
class EventWriter {
  private readonly epochColumn: number;
  private readonly diffColumn: number;
  private readonly progressColumn: number;
  /** The relation's own columns: the leading fields, before sluice_epoch. */
  private readonly columns: readonly FieldDescription[];

  constructor(fields: readonly FieldDescription[]) {
    this.epochColumn = fields.findIndex((f) => f.name === 'sluice_epoch');
    this.diffColumn = fields.findIndex((f) => f.name === 'sluice_diff');
    this.progressColumn = fields.findIndex((f) => f.name === 'sluice_progress');
    this.columns = fields.slice(0, this.epochColumn);
  }

  of(rows: readonly (readonly Value[])[]): string[] {
    const events: string[] = [];
    let epoch: Value = null;
    let changes: JsonValue[] = [];
    const flush = (): void => {
      if (epoch !== null) events.push(this.event(String(epoch), changes));
      changes = [];
    };
    for (const row of rows) {
      if (row[this.epochColumn] !== epoch) {
        flush();
        epoch = row[this.epochColumn];
      }
      if (this.progressColumn >= 0 && row[this.progressColumn] === true) continue;
      changes.push({ diff: Number(row[this.diffColumn]), row: this.row(row) });
    }
    flush();
    return events;
  }

  // An HTTP session sets no TimeZone: timestamps print in UTC, as POST /api/v1/sql prints them without a SET.
  private row(row: readonly Value[]): JsonValue {
    return Object.fromEntries(this.columns.map((f, c) => [f.name, jsonValue(row[c], f.typeOid, UTC_ZONE)]));
  }

  private event(epoch: string, changes: JsonValue[]): string {
    return `id: ${epoch}\ndata: ${JSON.stringify({ epoch, changes })}\n\n`;
  }
}
