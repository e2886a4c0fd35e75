// The OpenAPI 3 description of the HTTP API, as data. test/http/openapi.test.ts calls every path and method here
// and checks each answer against what is documented, so this document and the routes cannot drift apart.

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = (description: string, schema: string) => ({ description, ...json(ref(schema)) });
const error = (description: string) => ({ description, ...json(ref('Error')) });

const KIND = {
  name: 'kind', in: 'path', required: true,
  schema: { type: 'string', enum: ['streams', 'tables', 'queries', 'sinks'] },
};
const NAME = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const AUTH_ERRORS = { 401: error('credentials missing or wrong (with --users)'), 403: error('trust refused off loopback') };
const SQL_BODY = {
  required: true,
  ...json({ type: 'object', required: ['sql'], properties: { sql: { type: 'string' } } }),
};

export const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: {
    title: 'Sluice HTTP API',
    version: '0',
    description: 'The pipeline lifecycle over HTTP. Every route runs SQL through the same backend as the PostgreSQL ' +
      'protocol; errors carry the SQLSTATE.',
  },
  components: {
    securitySchemes: { basic: { type: 'http', scheme: 'basic' } },
    schemas: {
      Error: {
        type: 'object', required: ['error'],
        properties: {
          error: {
            type: 'object', required: ['sqlstate', 'message'],
            properties: {
              sqlstate: { type: 'string' }, message: { type: 'string' }, detail: { type: 'string' },
              hint: { type: 'string' }, position: { type: 'integer' },
            },
          },
        },
      },
      Column: {
        type: 'object', required: ['name', 'type', 'typeOid'],
        properties: { name: { type: 'string' }, type: { type: 'string' }, typeOid: { type: 'integer' } },
      },
      StatementResult: {
        type: 'object', required: ['command'],
        properties: {
          command: { type: 'string', description: 'the command tag, as on the wire' },
          columns: { type: 'array', items: ref('Column') },
          rows: {
            type: 'array', items: { type: 'array', items: {} },
            description: 'int8 and numeric as strings; bool, int2, int4, float4, float8 as numbers (NaN and ' +
              'Infinity as strings); jsonb as JSON; every other type in PostgreSQL\'s text form',
          },
        },
      },
      SqlResponse: {
        type: 'object', required: ['results', 'notices'],
        properties: {
          results: { type: 'array', items: ref('StatementResult') },
          notices: {
            type: 'array',
            items: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, detail: { type: 'string' } } },
          },
        },
      },
      Object: {
        type: 'object', required: ['name', 'definition', 'connector_state'],
        description: 'a row of the kind\'s sluice.* view (for queries, sluice.queries\' figures), the state of its ' +
          'connector from sluice.sources, and, when describing a stream, table or query, its columns',
        properties: {
          name: { type: 'string' },
          definition: { type: 'string' },
          status: { type: 'string', description: 'queries: running, paused or failed' },
          connector_state: { type: 'object', nullable: true },
          columns: {
            type: 'array',
            items: {
              type: 'object', required: ['name', 'type', 'nullable'],
              properties: { name: { type: 'string' }, type: { type: 'string' }, nullable: { type: 'boolean' } },
            },
          },
        },
      },
      ObjectList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Object') } } },
      Command: { type: 'object', required: ['command'], properties: { command: { type: 'string' } } },
      CommandWithObject: {
        type: 'object', required: ['command', 'object'],
        properties: { command: { type: 'string' }, object: ref('Object') },
      },
      DeadLetterPage: {
        type: 'object', required: ['items', 'next'],
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object', required: ['source', 'reason', 'at'],
              properties: {
                source: { type: 'string' }, partition: { type: 'integer', nullable: true },
                offset: { type: 'string', nullable: true }, raw: { type: 'string', nullable: true },
                reason: { type: 'string' }, error: { type: 'string', nullable: true }, at: { type: 'string' },
              },
            },
          },
          next: { type: 'string', nullable: true, description: 'pass as `after` for the next page; null at the end' },
        },
      },
      RowsAccepted: {
        type: 'object', required: ['accepted', 'dead_lettered', 'skipped'],
        properties: {
          accepted: { type: 'integer', description: 'rows appended, durable before this answer' },
          dead_lettered: { type: 'integer', description: 'bad records kept in sluice.dead_letters (on_error = dead_letter)' },
          skipped: { type: 'integer', description: 'bad records left out (on_error = skip)' },
        },
      },
      Probe: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
      QueryPlan: {
        type: 'object', required: ['query', 'status', 'epoch', 'epochs_measured', 'nodes', 'edges'],
        description: 'EXPLAIN (ANALYZE, FORMAT JSON) CONTINUOUS QUERY name: the operator DAG with each node\'s ' +
          'figures since the server started',
        properties: {
          query: { type: 'string' },
          status: { type: 'string', enum: ['running', 'paused', 'failed'] },
          epoch: { type: 'integer' },
          epochs_measured: { type: 'integer', description: 'epochs this process ran, the ones the times are over' },
          nodes: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'kind', 'description', 'rows_in', 'rows_out', 'time_last_epoch_ms', 'time_total_ms', 'state_bytes'],
              properties: {
                id: { type: 'integer' },
                kind: { type: 'string', description: 'the plan node kind: source, filter, project, aggregate, join, ...' },
                description: { type: 'string', description: 'the operator\'s EXPLAIN line' },
                rows_in: { type: 'integer' }, rows_out: { type: 'integer' },
                time_last_epoch_ms: { type: 'number' }, time_total_ms: { type: 'number' },
                state_bytes: { type: 'integer', description: 'as of the last committed epoch' },
              },
            },
          },
          edges: {
            type: 'array',
            items: {
              type: 'object', required: ['from', 'to', 'input'],
              properties: {
                from: { type: 'integer' }, to: { type: 'integer' },
                input: { type: 'integer', description: 'which input of `to` (a join\'s left 0, right 1)' },
              },
            },
          },
        },
      },
      Status: {
        type: 'object', required: ['version', 'started_at', 'uptime_seconds', 'objects', 'connections'],
        properties: {
          version: { type: 'string' },
          started_at: { type: 'string' },
          uptime_seconds: { type: 'integer' },
          objects: {
            type: 'object', required: ['streams', 'tables', 'queries', 'sinks'],
            properties: {
              streams: { type: 'integer' }, tables: { type: 'integer' }, queries: { type: 'integer' }, sinks: { type: 'integer' },
            },
          },
          connections: {
            type: 'object', required: ['wire', 'http'],
            properties: { wire: { type: 'integer' }, http: { type: 'integer' } },
          },
        },
      },
    },
  },
  security: [{ basic: [] }],
  paths: {
    '/health': {
      get: {
        summary: 'liveness: 200 while the process serves', security: [],
        responses: { 200: ok('alive', 'Probe') },
      },
    },
    '/ready': {
      get: {
        summary: 'readiness: 200 once the database is open and its continuous queries started, 503 from shutdown on',
        security: [],
        responses: { 200: ok('ready', 'Probe'), 503: error('shutting down (57P01)') },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text format 0.0.4): per query, per Kafka source and sink, process, storage, connections',
        responses: {
          200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...AUTH_ERRORS,
        },
      },
    },
    '/api/v1/openapi.json': {
      get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3', ...json({ type: 'object' }) } } },
    },
    '/api/v1/status': {
      get: { summary: 'version, uptime, objects, connections', responses: { 200: ok('status', 'Status'), ...AUTH_ERRORS } },
    },
    '/api/v1/sql': {
      post: {
        summary: 'run SQL statements',
        description: 'Every statement in order, in one session; a failure stops the rest. SUBSCRIBE and COPY are ' +
          'refused (0A000). A response holds at most 100000 rows and 32 MB of them (53200 past it).',
        requestBody: {
          required: true,
          ...json({
            type: 'object', required: ['sql'],
            properties: { sql: { type: 'string' }, params: { type: 'array', items: {}, description: '$1, $2, ... (one statement only)' } },
          }),
        },
        responses: {
          200: ok('every statement\'s result', 'SqlResponse'),
          400: error('bad JSON, or a SQL error (syntax 42601 with position, ...)'),
          404: error('an undefined object (42P01, 42704)'),
          409: error('a duplicate or dependent object'),
          413: error('a body over 1 MB'),
          503: error('insufficient resources (53xxx), e.g. a result too large'),
          ...AUTH_ERRORS,
        },
      },
    },
    '/api/v1/dead-letters': {
      get: {
        summary: 'sluice.dead_letters, a page at a time, in arrival order',
        parameters: [
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'after', in: 'query', schema: { type: 'string' }, description: 'the `next` of the previous page' },
        ],
        responses: { 200: ok('a page', 'DeadLetterPage'), 400: error('a bad limit or cursor'), ...AUTH_ERRORS },
      },
    },
    '/api/v1/queries/{name}/pause': {
      post: {
        summary: 'ALTER CONTINUOUS QUERY name PAUSE', parameters: [NAME],
        responses: { 200: ok('paused', 'CommandWithObject'), 404: error('no such query'), ...AUTH_ERRORS },
      },
    },
    '/api/v1/queries/{name}/resume': {
      post: {
        summary: 'ALTER CONTINUOUS QUERY name RESUME', parameters: [NAME],
        responses: { 200: ok('resumed', 'CommandWithObject'), 404: error('no such query'), ...AUTH_ERRORS },
      },
    },
    '/api/v1/streams/{name}/rows': {
      post: {
        summary: 'append rows to a stream WITH (connector = \'http\'): COPY name FROM STDIN underneath',
        description: 'JSON lines (application/x-ndjson, application/jsonl or application/json, one object per line, ' +
          'fields by column name) or CSV (text/csv, fields in column order, ?header=true to skip a first line). ' +
          'All or nothing; answered once the rows are durable. Bad records follow the stream\'s on_error: ' +
          'dead_letter (default), skip, or fail (22P02, nothing applied). The body is read as it is applied, in ' +
          'bounded memory, whatever its size.',
        parameters: [NAME, { name: 'header', in: 'query', schema: { type: 'boolean', default: false } }],
        requestBody: {
          required: true,
          content: {
            'application/x-ndjson': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        responses: {
          200: ok('the rows are durable', 'RowsAccepted'),
          400: error('a bad record under on_error = fail (22P02), over 16 MB of bad records (54000), a bad header parameter'),
          404: error('no such stream'),
          409: error('the stream is not declared WITH (connector = \'http\') (42809)'),
          415: error('a Content-Type other than JSON lines or CSV'),
          503: error('shutting down'),
          ...AUTH_ERRORS,
        },
      },
    },
    '/api/v1/{kind}/{name}/changes': {
      get: {
        summary: 'SUBSCRIBE TO name as server-sent events',
        description: 'Each epoch\'s changes is one event: `id:` the epoch (Last-Event-ID resumes after it, as ' +
          'from_epoch), `data:` {"epoch": "N", "changes": [{"diff": 1, "row": {...}}]} with the JSON values of ' +
          'POST /api/v1/sql; with progress=true an epoch with no change is an event with no changes. Comments every ' +
          '15 s keep it alive. A client too slow to read is ended with `event: error` carrying 53200; SUBSCRIBE\'s ' +
          'other errors come as JSON before the stream starts.',
        parameters: [
          { ...KIND, schema: { type: 'string', enum: ['streams', 'tables', 'queries'] } }, NAME,
          { name: 'snapshot', in: 'query', schema: { type: 'boolean', default: true } },
          { name: 'progress', in: 'query', schema: { type: 'boolean', default: false } },
          { name: 'from_epoch', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' }, description: 'from_epoch, when that is not given' },
        ],
        responses: {
          200: { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          400: error('bad options (22023), e.g. snapshot=true with from_epoch'),
          404: error('no such stream, table or query'),
          409: error('from_epoch older than the change log keeps (55000)'),
          ...AUTH_ERRORS,
        },
      },
    },
    '/api/v1/queries/{name}/plan': {
      get: {
        summary: 'the running query\'s operator DAG with per-operator figures (EXPLAIN (ANALYZE, FORMAT JSON))',
        parameters: [NAME],
        responses: {
          200: ok('nodes and edges', 'QueryPlan'), 404: error('no such query'),
          409: error('the query is not running (55000)'), ...AUTH_ERRORS,
        },
      },
    },
    '/api/v1/{kind}': {
      get: {
        summary: 'list streams, tables, continuous queries or sinks', parameters: [KIND],
        responses: { 200: ok('every object of the kind', 'ObjectList'), 404: error('no such kind'), ...AUTH_ERRORS },
      },
      post: {
        summary: 'create one from its CREATE statement', parameters: [KIND], requestBody: SQL_BODY,
        responses: {
          201: ok('created', 'CommandWithObject'),
          400: error('not one CREATE of this kind (42809), or a SQL error'),
          404: error('no such kind, or an object the statement reads does not exist'),
          409: error('it exists already'),
          413: error('a body over 1 MB'),
          ...AUTH_ERRORS,
        },
      },
    },
    '/api/v1/{kind}/{name}': {
      get: {
        summary: 'describe one', parameters: [KIND, NAME],
        responses: { 200: ok('the object', 'Object'), 404: error('no such object'), ...AUTH_ERRORS },
      },
      delete: {
        summary: 'drop one (DROP ... [CASCADE])',
        parameters: [KIND, NAME, { name: 'cascade', in: 'query', schema: { type: 'boolean', default: false } }],
        responses: {
          200: ok('dropped', 'Command'), 400: error('a bad cascade value'), 404: error('no such object'),
          409: error('others read from it (2BP01) and cascade is not true'), ...AUTH_ERRORS,
        },
      },
    },
  },
} as const;
