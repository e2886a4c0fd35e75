// POST /api/v1/sql: runs statements as a wire client would, and answers every statement's result as JSON.

import { SQLSTATE } from '../../../engine/errors';
import { HttpError } from '../errors';
import { objectBody, type ApiRequest, type JsonReply } from '../request';
import type { JsonValue } from '../json-values';

export async function runSql(req: ApiRequest): Promise<JsonReply> {
  const body = objectBody(await req.json());
  const sql = body.sql;
  if (typeof sql !== 'string') throw badBody('"sql" must be a string of SQL');
  const params = body.params ?? [];
  if (!Array.isArray(params)) throw badBody('"params" must be an array');
  const output = await req.api.sql.run(req.user, sql, params as JsonValue[], req.signal);
  return { status: 200, body: output };
}

function badBody(message: string): HttpError {
  return new HttpError(400, SQLSTATE.invalid_parameter_value, message);
}
