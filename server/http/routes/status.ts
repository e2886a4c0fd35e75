// GET /api/v1/status: what runs, for how long, and who is connected. Object counts come from the sluice.* views.

import type { ApiRequest, JsonReply } from '../request';

export async function serverStatus(req: ApiRequest): Promise<JsonReply> {
  const { results } = await req.api.sql.run(req.user, [
    'SELECT count(*) FROM sluice.streams', 'SELECT count(*) FROM sluice.tables',
    'SELECT count(*) FROM sluice.queries', 'SELECT count(*) FROM sluice.sinks',
  ].join('; '), [], req.signal);
  const [streams, tables, queries, sinks] = results.map((r) => Number(r.rows?.[0]?.[0]));
  const uptimeMs = Date.now() - req.api.startedAt.getTime();
  return {
    status: 200,
    body: {
      version: req.api.version,
      started_at: req.api.startedAt.toISOString(),
      uptime_seconds: Math.floor(uptimeMs / 1000),
      objects: { streams, tables, queries, sinks },
      connections: { wire: req.api.wireSessions(), http: req.api.httpRequests() },
    },
  };
}
