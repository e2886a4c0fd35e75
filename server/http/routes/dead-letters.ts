// GET /api/v1/dead-letters?source=&limit=&after=: sluice.dead_letters a page at a time. Dead letters are only ever
// appended and the view lists them in arrival order, so a record's place among those of the same filter never
// changes: the cursor token is that place, and paging stays stable while new ones arrive.

import { SQLSTATE } from '../../../engine/errors';
import { HttpError } from '../errors';
import type { ApiRequest, JsonReply } from '../request';
import type { JsonValue } from '../json-values';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const CURSOR_PREFIX = 'dl1:';

export async function listDeadLetters(req: ApiRequest): Promise<JsonReply> {
  const source = req.query.get('source');
  const limit = limitOf(req.query.get('limit'));
  const skip = cursorPosition(req.query.get('after'));
  const where = source === null ? '' : ' WHERE source = $1';
  // One row more than asked tells whether there is a next page.
  const sql = `SELECT * FROM sluice.dead_letters${where} LIMIT ${limit + 1} OFFSET ${skip}`;
  const params: JsonValue[] = source === null ? [] : [source];
  const rows = await req.api.sql.rows(req.user, sql, params, req.signal);
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? cursorToken(skip + limit) : null;
  return { status: 200, body: { items, next } };
}

function limitOf(text: string | null): number {
  if (text === null) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIMIT) {
    throw new HttpError(400, SQLSTATE.invalid_parameter_value, `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

function cursorToken(position: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`).toString('base64url');
}

function cursorPosition(token: string | null): number {
  if (token === null) return 0;
  const m = new RegExp(`^${CURSOR_PREFIX}(\\d+)$`).exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (m === null) throw new HttpError(400, SQLSTATE.invalid_parameter_value, 'after is not a cursor this API returned');
  return Number(m[1]);
}
