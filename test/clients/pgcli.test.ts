// pgcli (Debian's package) against the real server: a session scripted on its stdin (\d, \d name, a SELECT, a
// CREATE) must run without a single error in pgcli's log, and the catalog queries pgcli runs for its completions
// (schemas, tables and columns, views, types, databases, functions: its CompletionRefresher's own refreshers, run
// here one by one so that a failure names its query) must succeed and find Sluice's objects.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startServer, type TestServer } from '../helpers/server';
import { ensureDebianPackage, onPath } from '../helpers/debian';
import { DEBIAN_PYTHON } from '../helpers/python';

let server: TestServer;
let home: string;
before(async () => {
  ensureDebianPackage('pgcli', () => onPath('pgcli'), 'pgcli');
  server = await startServer();
  home = mkdtempSync(join(tmpdir(), 'sluice-pgcli-'));
  const c = new Client({ host: server.host, port: server.port, user: 'test', database: 'sluice' });
  await c.connect();
  await c.query('CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC)');
  await c.query("INSERT INTO accounts VALUES (1, 'ann', 12.50), (2, 'bob', NULL)");
  await c.query("CREATE STREAM payments (id BIGINT NOT NULL, amount NUMERIC, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1 second')");
  await c.query('CREATE CONTINUOUS QUERY paid AS SELECT id, sum(amount) AS total FROM payments GROUP BY id');
  await c.end();
});
after(async () => {
  rmSync(home, { recursive: true, force: true });
  assert.equal(await server.stop(), 0, server.stderr());
});

test('pgcli runs \\d, a SELECT and a CREATE from its stdin without an error', () => {
  const session = ['\\d', '\\d accounts', 'SELECT id, owner, balance FROM accounts ORDER BY id;',
    'CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT);', '\\d notes', ''].join('\n');
  const r = spawnSync('pgcli', ['-h', server.host, '-p', String(server.port), '-U', 'test', '-d', 'sluice', '-w', '--less-chatty'], {
    input: session, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, PGCONNECT_TIMEOUT: '10', TERM: 'dumb' },
  });
  assert.equal(r.status, 0, `pgcli failed: ${r.stderr}`);
  const log = readFileSync(join(home, 'pgcli', 'log'), 'utf8');
  assert.doesNotMatch(log, / ERROR - /, log);
  const out = r.stdout.replace(/\r/g, '');
  assert.match(out, /\| public +\| accounts +\| table +\| sluice +\|/);
  assert.match(out, /\| public +\| payments +\| table +\| sluice +\|/);
  assert.match(out, /\| public +\| paid +\| view +\| sluice +\|/);
  assert.match(out, /\| owner +\| text +\| +not null +\|/);
  assert.match(out, /"accounts_pkey" PRIMARY KEY, btree \(id\)/);
  assert.match(out, /\| 1 +\| ann +\| 12\.50 +\|/);
  assert.match(out, /CREATE TABLE\n/);
  assert.match(out, /\| body +\| text +\| +\|/);
});

const REFRESH = String.raw`
import json, sys
from pgcli.pgexecute import PGExecute
from pgcli.pgcompleter import PGCompleter
from pgcli.completion_refresher import CompletionRefresher
from pgspecial.main import PGSpecial
executor = PGExecute('sluice', 'test', None, sys.argv[1], int(sys.argv[2]), None)
completer = PGCompleter(smart_completion=True, pgspecial=PGSpecial(), settings={})
failed = {}
for name, refresh in CompletionRefresher.refreshers.items():
    if name == 'casing':
        continue  # reads a local file, sends nothing
    try:
        refresh(completer, executor)
    except Exception as e:
        failed[name] = repr(e)
meta = completer.dbmetadata
print(json.dumps({
    'failed': failed,
    'refreshers': sorted(CompletionRefresher.refreshers),
    'tables': sorted(meta['tables']['public']),
    'accounts': sorted(meta['tables']['public']['accounts']),
    'views': sorted(meta['views']['public']),
    'paid': sorted(meta['views']['public']['paid']),
    'databases': completer.databases,
    'functions': sorted(f for f in meta['functions'].get('pg_catalog', {}) if f in ('format_type', 'pg_get_viewdef')),
}))
`;

test("pgcli's completion queries all succeed and see Sluice's tables, streams, continuous queries and columns", () => {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', REFRESH, server.host, String(server.port)], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home },
  });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.failed, {});
  assert.deepEqual(out.refreshers, ['casing', 'databases', 'functions', 'schemata', 'tables', 'types', 'views']);
  // notes: created by the session of the test above.
  assert.deepEqual(out.tables, ['accounts', 'notes', 'payments']);
  assert.deepEqual(out.accounts, ['balance', 'id', 'owner']);
  assert.deepEqual(out.views, ['paid']);
  assert.deepEqual(out.paid, ['id', 'total']);
  assert.deepEqual(out.databases, ['sluice', 'template0', 'template1']);
  assert.deepEqual(out.functions, ['format_type', 'pg_get_viewdef']);
});
