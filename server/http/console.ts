// The web console: static files (HTML, ES modules, CSS) served at `/` and `/console/...`, from the package itself
// (no bundler, no CDN, nothing fetched at run time). The page does everything through the REST API, so the console
// is one more client of the same SQL underneath. Its routes sit behind the same authentication as the API: with
// --users, the 401 with WWW-Authenticate makes the browser ask for a user and password.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SQLSTATE } from '../../engine/errors';
import { HttpError } from './errors';
import type { ApiRequest } from './request';
import type { Router } from './router';

// The files live beside this module's source (server/http/console/), which tsc does not copy: from
// dist/server/http/ that is three floors up, then down into the source tree shipped in the same package.
const CONSOLE_DIR = join(__dirname, '..', '..', '..', 'server', 'http', 'console');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** A plain file name with a known extension: nothing that could climb out of CONSOLE_DIR. */
const ASSET_NAME = /^[a-z][a-z0-9-]*\.(html|js|css)$/;

/** Adds the console's routes to `router` (they are not API routes, so not in the OpenAPI document). */
export function withConsole(router: Router): Router {
  return router
    .add('GET', '/', (req) => sendAsset(req, 'index.html'))
    .add('GET', '/console/:file', (req) => sendAsset(req, req.params.file));
}

async function sendAsset(req: ApiRequest, file: string): Promise<'answered'> {
  const match = ASSET_NAME.exec(file);
  if (match === null) throw notFound(file);
  let content: Buffer;
  try {
    content = await readFile(join(CONSOLE_DIR, file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(file);
    throw e;
  }
  req.response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[match[1]],
    'Content-Length': content.length,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  req.response.end(content);
  return 'answered';
}

function notFound(file: string): HttpError {
  return new HttpError(404, SQLSTATE.undefined_object, `no such console file: ${file}`);
}
