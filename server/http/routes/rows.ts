// POST /api/v1/streams/{name}/rows: the body's records appended to a stream declared WITH (connector = 'http').
// Underneath it is one COPY name FROM STDIN (FORMAT json | csv) fed the body as it arrives (SqlRunner.copyIn), so
// it decodes, checks, stages and commits exactly as a COPY does: all or nothing, acknowledged once durable, bad
// records under the stream's on_error (engine/execute/records-copy.ts).
//
// Only streams declared for it take POSTs, as a webhook source is declared: a stream fed by INSERT and COPY does
// not start taking records from the network because the HTTP API is on. A stream declared for it still takes
// INSERT and COPY over the wire as well.

import { SQLSTATE } from '../../../engine/errors';
import { HttpError } from '../errors';
import type { ApiRequest, JsonReply } from '../request';

type BodyFormat = 'json' | 'csv';

const FORMAT_BY_CONTENT_TYPE: Readonly<Record<string, BodyFormat>> = {
  'application/x-ndjson': 'json',
  'application/jsonl': 'json',
  'application/json': 'json',
  'text/csv': 'csv',
};

export async function postStreamRows(req: ApiRequest): Promise<JsonReply> {
  const name = req.params.name;
  const format = bodyFormat(req);
  const header = headerParam(req, format);
  const [stream] = await req.api.sql.rows(req.user, 'SELECT connector FROM sluice.streams WHERE name = $1', [name], req.signal);
  if (stream === undefined) throw new HttpError(404, SQLSTATE.undefined_table, `stream "${name}" does not exist`);
  if (stream.connector !== 'http') {
    throw new HttpError(409, SQLSTATE.wrong_object_type, `stream "${name}" does not take rows over HTTP`, {
      hint: 'Declare it WITH (connector = \'http\') to POST rows to it (it then takes INSERT and COPY too).',
    });
  }
  const options = format === 'csv' ? `FORMAT csv, HEADER ${header}` : 'FORMAT json';
  const sql = `COPY "${name.replaceAll('"', '""')}" FROM STDIN WITH (${options})`;
  const done = await req.api.sql.copyIn(req.user, sql, req.request, req.signal);
  return { status: 200, body: { accepted: done.rows, dead_lettered: done.deadLettered, skipped: done.skipped } };
}

function bodyFormat(req: ApiRequest): BodyFormat {
  const type = (req.request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const format = Object.hasOwn(FORMAT_BY_CONTENT_TYPE, type) ? FORMAT_BY_CONTENT_TYPE[type] : undefined;
  if (format === undefined) {
    throw new HttpError(415, SQLSTATE.invalid_parameter_value, `cannot read a body of Content-Type "${type}"`, {
      hint: `Send ${Object.keys(FORMAT_BY_CONTENT_TYPE).join(', ')}.`,
    });
  }
  return format;
}

function headerParam(req: ApiRequest, format: BodyFormat): boolean {
  const value = req.query.get('header');
  if (value === null) return false;
  if (format !== 'csv') throw new HttpError(400, SQLSTATE.invalid_parameter_value, '"header" goes with text/csv only');
  if (value !== 'true' && value !== 'false') throw new HttpError(400, SQLSTATE.invalid_parameter_value, '"header" must be true or false');
  return value === 'true';
}
