// The HTTP server: one per process, beside the PostgreSQL protocol server. It authenticates each request, finds its
// route and answers JSON; every failure becomes a JSON error with its SQLSTATE (errors.ts).

import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../backend';
import type { AuthConfig } from '../auth/users';
import type { Logger } from '../log';
import { isBug, SQLSTATE, toSqlError } from '../../engine/errors';
import { authenticateRequest, httpAuth, WWW_AUTHENTICATE, type HttpAuth } from './auth';
import { errorBody, HttpError, statusOf } from './errors';
import { MAX_JSON_BODY_BYTES, readJsonBody, type ApiContext, type ApiRequest } from './request';
import type { Router } from './router';
import { apiRoutes } from './routes';
import { withConsole } from './console';
import { SqlRunner } from './sql-runner';
import { sluiceMetrics } from './metrics/sluice-metrics';
import type { Runtime } from '../../engine/runtime/runtime';
import type { SessionActivity } from '../protocol/session';

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly backend: Backend;
  readonly auth: AuthConfig;
  readonly log: Logger;
  /** Sluice's version, e.g. "0.1.0". */
  readonly version: string;
  /** What SHOW server_version says, as on the wire. */
  readonly serverVersion: string;
  readonly wireSessions: () => number;
  /** Those sessions by what they do now, for /metrics. */
  readonly wireSessionActivity: () => Record<SessionActivity, number>;
  /** Where /metrics reads the queries' and connectors' figures. */
  readonly runtime: Runtime;
  /** False once the server begins to shut down (GET /ready). */
  readonly ready: () => boolean;
  /** The wire port's certificate and key: when given, the API is served over HTTPS only. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | null;
}

export interface HttpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const CLOSE_WAIT_MS = 3000;

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = options.log.child({ component: 'http' });
  const inFlight = new Set<AbortController>();
  const httpRequests = (): number => inFlight.size;
  const metrics = sluiceMetrics({ runtime: options.runtime, wireSessions: options.wireSessionActivity, httpRequests });
  const api: ApiContext = {
    sql: new SqlRunner(options.backend, options.serverVersion),
    version: options.version,
    startedAt: new Date(),
    wireSessions: options.wireSessions,
    httpRequests,
    ready: options.ready,
    metrics,
  };
  const routes = withConsole(apiRoutes());
  const auth = (): HttpAuth => httpAuth(options.auth, options.host);

  const handler: RequestListener = (request, response) => {
    const controller = new AbortController();
    inFlight.add(controller);
    response.on('close', () => {
      controller.abort();
      inFlight.delete(controller);
    });
    response.on('finish', () => metrics.answered(response.statusCode));
    serve(request, response, { routes, auth, api, log, signal: controller.signal }).catch((e: unknown) => {
      log.error('HTTP request failed after answering (a bug)', { error: e });
      response.destroy();
    });
  };
  const tls = options.tls ?? null;
  const server = tls === null ? createServer(handler) : createHttpsServer({ cert: tls.cert, key: tls.key }, handler);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error('HTTP server socket error', { error: e }));
  const port = (server.address() as AddressInfo).port;

  return {
    host: options.host,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of inFlight) c.abort();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), CLOSE_WAIT_MS).unref();
      await closed;
      clearTimeout(timer);
    },
  };
}

interface ServeContext {
  readonly routes: Router;
  /** Asked per request: whether passwords are required follows the roles. */
  readonly auth: () => HttpAuth;
  readonly api: ApiContext;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

async function serve(request: IncomingMessage, response: ServerResponse, ctx: ServeContext): Promise<void> {
  try {
    const url = new URL(request.url ?? '/', 'http://sluice');
    const method = request.method ?? 'GET';
    const match = ctx.routes.match(method, url.pathname);
    if (match.kind === 'none') {
      throw new HttpError(404, SQLSTATE.undefined_object, `no such resource: ${url.pathname}`);
    }
    if (match.kind === 'method') {
      response.setHeader('Allow', match.allowed.join(', '));
      throw new HttpError(405, SQLSTATE.feature_not_supported, `${method} is not allowed on ${url.pathname}`);
    }
    const user = match.access === 'public' ? { name: 'http', trusted: false } : authenticateRequest(request.headers, ctx.auth());
    const req: ApiRequest = {
      method,
      params: match.params,
      query: url.searchParams,
      user,
      signal: ctx.signal,
      request,
      response,
      api: ctx.api,
      json: () => readJsonBody(request, MAX_JSON_BODY_BYTES),
    };
    const reply = await match.handler(req);
    if (reply !== 'answered') sendJson(response, reply.status, reply.body);
  } catch (e) {
    const error = toSqlError(e);
    if (isBug(e)) ctx.log.error('internal error in an HTTP request (a bug)', { error: e });
    const status = statusOf(error);
    if (status === 401) response.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(response, status, errorBody(error));
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}
