// A small HTTP client for the API tests: node's fetch against a real server, answers parsed as JSON.

import type { TestServer } from '../helpers/server';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  // Tests read into the JSON they expect; an unexpected shape fails their assertions.
  readonly body: any;
}

export interface CallOptions {
  /** A JSON value to send, or raw text (sent as is). */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly user?: string;
  readonly password?: string;
}

export function apiBase(server: Pick<TestServer, 'host' | 'httpPort'>): string {
  if (server.httpPort === null) throw new Error('the server was started without its HTTP API');
  return `http://${server.host}:${server.httpPort}`;
}

export async function call(
  server: Pick<TestServer, 'host' | 'httpPort'>, method: string, path: string, options: CallOptions = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (options.user !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
  }
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${apiBase(server)}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** POST /api/v1/sql, expecting 200; the results. */
export async function sql(
  server: Pick<TestServer, 'host' | 'httpPort'>, text: string, params?: unknown[],
): Promise<ApiAnswer['body'][]> {
  const answer = await call(server, 'POST', '/api/v1/sql', { body: params === undefined ? { sql: text } : { sql: text, params } });
  if (answer.status !== 200) throw new Error(`POST /api/v1/sql ${text} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.results;
}
