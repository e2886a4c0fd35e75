// What a route handler gets and gives back. Most handlers answer JSON (`JsonReply`); a handler that streams (server-
// sent events, large bodies) writes to `response` itself and returns `answered`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SQLSTATE } from '../../engine/errors';
import { HttpError } from './errors';
import type { HttpUser } from './http-session';
import type { SqlRunner } from './sql-runner';
import type { JsonValue } from './json-values';
import type { SluiceMetrics } from './metrics/sluice-metrics';

/** The server around the routes: what status and the like report. */
export interface ApiContext {
  readonly sql: SqlRunner;
  readonly version: string;
  readonly startedAt: Date;
  /** Sessions on the PostgreSQL protocol right now. */
  readonly wireSessions: () => number;
  /** HTTP requests being served right now (this one included). */
  readonly httpRequests: () => number;
  /** False from the moment the server begins to shut down (GET /ready). */
  readonly ready: () => boolean;
  readonly metrics: SluiceMetrics;
}

export interface ApiRequest {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /**
   * The authenticated user (under trust, the one named by Basic credentials, else "http"; on public routes "http",
   * not trusted: those routes read only sluice.* views, which need no privilege).
   */
  readonly user: HttpUser;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly api: ApiContext;
  /** The body parsed as JSON (at most maxJsonBodyBytes; 413 past it, 400 when it is not JSON). */
  json(): Promise<JsonValue>;
}

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

export type Handler = (req: ApiRequest) => Promise<JsonReply | 'answered'>;

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<JsonValue> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new HttpError(413, SQLSTATE.program_limit_exceeded, `the request body is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new HttpError(400, SQLSTATE.invalid_text_representation, 'the request body is not valid JSON', {
      detail: (e as Error).message,
    });
  }
}

/** The body as a JSON object; 400 when it is anything else. */
export function objectBody(body: JsonValue): Record<string, JsonValue> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, SQLSTATE.invalid_parameter_value, 'the request body must be a JSON object');
  }
  return body;
}
