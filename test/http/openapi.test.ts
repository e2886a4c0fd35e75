// The OpenAPI document against the running server: every path and method in it is called, and each answer must
// have a documented status and a body of the documented shape. The shape check is a small structural one (type,
// required, properties, items, nullable, enum, $ref): enough to catch a route and its document drifting apart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { startServer, type TestServer } from '../helpers/server';
import { apiRoutes } from '../../server/http/routes';
import { OPENAPI_DOCUMENT } from '../../server/http/openapi';
import { apiBase, call, sql } from './client';

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
}

interface Operation {
  readonly parameters?: readonly { name: string; in: string; schema: Schema }[];
  readonly responses: Readonly<Record<string, {
    content?: { 'application/json'?: { schema: Schema }; 'text/plain'?: { schema: Schema }; 'text/event-stream'?: unknown };
  }>>;
}

type Document = {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> };
};

/** Where `value` departs from `schema`, or null when it matches. */
function mismatch(value: unknown, schema: Schema, doc: Document, at: string): string | null {
  if (schema.$ref !== undefined) return mismatch(value, doc.components.schemas[schema.$ref.split('/').pop()!], doc, at);
  if (value === null) return schema.nullable === true || schema.type === undefined ? null : `${at} is null`;
  if (schema.enum !== undefined && !schema.enum.includes(value)) return `${at} is ${JSON.stringify(value)}, not one of the enum`;
  switch (schema.type) {
    case undefined: return null;
    case 'integer': return Number.isInteger(value) ? null : `${at} is not an integer`;
    case 'array': {
      if (!Array.isArray(value)) return `${at} is not an array`;
      for (let i = 0; i < value.length && schema.items !== undefined; i++) {
        const m = mismatch(value[i], schema.items, doc, `${at}[${i}]`);
        if (m !== null) return m;
      }
      return null;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return `${at} is not an object`;
      const object = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in object)) return `${at}.${key} is missing`;
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (!(key in object)) continue;
        const m = mismatch(object[key], sub, doc, `${at}.${key}`);
        if (m !== null) return m;
      }
      return null;
    }
    default: return typeof value === schema.type ? null : `${at} is not a ${schema.type}`;
  }
}

/** What each {name} stands for, per kind, and a CREATE for POST /api/v1/{kind}. */
const EXAMPLES: Readonly<Record<string, { name: string; create: string }>> = {
  streams: { name: 'orders', create: "CREATE STREAM more_orders (id INT) WITH (retention = '1 hour')" },
  tables: { name: 'customers', create: 'CREATE TABLE more_customers (id INT PRIMARY KEY)' },
  queries: { name: 'totals', create: 'CREATE CONTINUOUS QUERY more_totals AS SELECT count(*) AS n FROM more_orders' },
  sinks: { name: 'orders_out', create: "CREATE SINK more_out FROM more_orders WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:1', format = 'json')" },
};
/** Routes of one kind only: the path called, and the body (a JSON object is also one line of JSON lines). */
const SPECIAL_ROUTES: Readonly<Record<string, { path: string; body?: unknown }>> = {
  '/api/v1/streams/{name}/rows': { path: '/api/v1/streams/posted/rows', body: { id: 1 } },
};
/** Drops go last, dependents first, so each one succeeds. */
const METHOD_ORDER = ['get', 'post', 'delete'];
const DROP_ORDER = ['sinks', 'queries', 'tables', 'streams'];

interface Call {
  readonly method: string;
  readonly template: string;
  readonly path: string;
  readonly body?: unknown;
  readonly operation: Operation;
}

function calls(doc: Document): Call[] {
  const out: Call[] = [];
  for (const method of METHOD_ORDER) {
    for (const [template, operations] of Object.entries(doc.paths)) {
      const operation = operations[method];
      if (operation === undefined) continue;
      // A route that takes some kinds only names them in its parameter's enum.
      const kindEnum = operation.parameters?.find((p) => p.name === 'kind')?.schema.enum as string[] | undefined;
      const allKinds = method === 'delete' ? DROP_ORDER : Object.keys(EXAMPLES);
      const kinds = template.includes('{kind}') ? allKinds.filter((k) => kindEnum?.includes(k) ?? true) : ['queries'];
      for (const kind of kinds) {
        const special = SPECIAL_ROUTES[template];
        const path = special?.path ?? template.replace('{kind}', kind).replace('{name}', encodeURIComponent(EXAMPLES[kind].name));
        const body = method !== 'post' ? undefined : template === '/api/v1/sql' ? { sql: 'SELECT 1' }
          : template === '/api/v1/{kind}' ? { sql: EXAMPLES[kind].create } : special?.body;
        out.push({ method, template, path, body, operation });
      }
    }
  }
  return out;
}

test('every route of the router is in the OpenAPI document, and every operation there is a route', () => {
  const routes = apiRoutes().list().map((r) => `${r.method} ${r.pattern.replace(/:([a-z]+)/g, '{$1}')}`).sort();
  const documented = Object.entries(OPENAPI_DOCUMENT.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)).sort();
  assert.deepEqual(routes, documented);
});

describe('the OpenAPI document', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
    await sql(server, `CREATE STREAM orders (id INT) WITH (retention = '1 hour');
      CREATE STREAM posted (id INT) WITH (connector = 'http');
      CREATE TABLE customers (id INT PRIMARY KEY);
      CREATE CONTINUOUS QUERY totals AS SELECT count(*) AS n FROM orders;
      CREATE SINK orders_out FROM orders WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:1', format = 'json')`);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  /** An event stream never ends by itself: its status and content type, then the connection is closed. */
  function eventStreamStatus(path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = get(`${apiBase(server)}${path}`, (response) => {
        resolve(`${response.statusCode} ${String(response.headers['content-type']).split(';')[0]}`);
        request.destroy();
      });
      request.on('error', reject);
    });
  }

  test('is served at /api/v1/openapi.json as OpenAPI 3', async () => {
    const answer = await call(server, 'GET', '/api/v1/openapi.json');
    assert.equal(answer.status, 200);
    assert.match(answer.body.openapi, /^3\./);
    assert.ok(Object.keys(answer.body.paths).length >= 8);
  });

  test('every path and method answers with a documented status and body', async () => {
    const doc = (await call(server, 'GET', '/api/v1/openapi.json')).body as Document;
    const all = calls(doc);
    assert.ok(all.length >= 20, `only ${all.length} calls`);
    for (const c of all) {
      if (c.operation.responses['200']?.content?.['text/event-stream'] !== undefined) {
        assert.equal(await eventStreamStatus(c.path), '200 text/event-stream', `GET ${c.path}`);
        continue;
      }
      if (c.operation.responses['200']?.content?.['text/plain'] !== undefined) {
        const response = await fetch(`${apiBase(server)}${c.path}`, { method: c.method.toUpperCase() });
        const text = await response.text();
        assert.equal(response.status, 200, `${c.method.toUpperCase()} ${c.path} → ${response.status} ${text.slice(0, 300)}`);
        assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
        assert.ok(text.length > 0, `${c.path} answered an empty body`);
        continue;
      }
      const answer = await call(server, c.method.toUpperCase(), c.path, c.body === undefined ? {} : { body: c.body });
      const what = `${c.method.toUpperCase()} ${c.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
      assert.ok(answer.status >= 200 && answer.status < 300, `not a success: ${what}`);
      const documented = c.operation.responses[String(answer.status)];
      assert.ok(documented !== undefined, `undocumented status: ${what}`);
      const schema = documented.content?.['application/json']?.schema;
      assert.ok(schema !== undefined, `no documented body: ${what}`);
      assert.equal(mismatch(answer.body, schema, doc, 'body'), null, what);
    }
  });

  test('errors match the documented Error shape, with a documented status', async () => {
    const doc = (await call(server, 'GET', '/api/v1/openapi.json')).body as Document;
    const failing: [string, string, unknown?][] = [
      ['GET', '/api/v1/streams/nope'], ['DELETE', '/api/v1/tables/nope'], ['POST', '/api/v1/queries/nope/pause'],
      ['POST', '/api/v1/sql', { sql: 'SELEC' }], ['POST', '/api/v1/streams', { sql: 'CREATE TABLE x (k INT)' }],
      ['GET', '/api/v1/dead-letters?limit=0'], ['POST', '/api/v1/streams/orders/rows', { id: 1 }],
      ['GET', '/api/v1/queries/nope/changes'], ['GET', '/api/v1/queries/nope/plan'],
    ];
    for (const [method, path, body] of failing) {
      const answer = await call(server, method, path, body === undefined ? {} : { body });
      const template = Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{[a-z]+\}/g, '[^/]+')}$`).test(path.split('?')[0]))!;
      const documented = doc.paths[template][method.toLowerCase()].responses[String(answer.status)];
      assert.ok(documented !== undefined, `undocumented status ${answer.status} for ${method} ${path}`);
      assert.equal(mismatch(answer.body, documented.content!['application/json']!.schema, doc, 'body'), null, `${method} ${path}`);
    }
  });
});
