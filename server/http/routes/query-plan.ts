// GET /api/v1/queries/{name}/plan: a running continuous query's operator DAG, nodes and edges with each operator's
// figures, for the console to draw. It is EXPLAIN (ANALYZE, FORMAT JSON) CONTINUOUS QUERY, run like any statement.

import type { ApiRequest, JsonReply } from '../request';
import { quoteIdent } from './objects';

export async function queryPlan(req: ApiRequest): Promise<JsonReply> {
  const sql = `EXPLAIN (ANALYZE, FORMAT JSON) CONTINUOUS QUERY ${quoteIdent(req.params.name)}`;
  const [row] = await req.api.sql.rows(req.user, sql, [], req.signal);
  return { status: 200, body: row['QUERY PLAN'] };
}
