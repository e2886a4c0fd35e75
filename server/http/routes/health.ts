// Probes: GET /health answers 200 while the process serves HTTP at all; GET /ready answers 200 once the database
// is open and its continuous queries started (the HTTP server starts only then), and 503 from the moment the server
// begins to shut down. Neither needs credentials, nor runs SQL: a probe must not depend on what it probes.

import { SQLSTATE } from '../../../engine/errors';
import { HttpError } from '../errors';
import type { ApiRequest, JsonReply } from '../request';

export async function health(): Promise<JsonReply> {
  return { status: 200, body: { status: 'ok' } };
}

export async function ready(req: ApiRequest): Promise<JsonReply> {
  if (!req.api.ready()) throw new HttpError(503, SQLSTATE.admin_shutdown, 'the server is shutting down');
  return { status: 200, body: { status: 'ready' } };
}
