// End to end: psql 15 as a subprocess against a real Sluice server. Objects are created with Sluice DDL, then the
// \d family must describe them as PostgreSQL would describe tables and views.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type TestServer } from '../helpers/server';

const run = promisify(execFile);

let server: TestServer;

/** Runs psql with one command and returns what it printed; fails the test on a non-zero exit. */
async function psql(command: string): Promise<string> {
  const { stdout } = await run(
    'psql',
    ['-X', '-P', 'pager=off', '-v', 'ON_ERROR_STOP=1', '-h', server.host, '-p', String(server.port), '-U', 'alice', '-d', 'sluice', '-c', command],
    { env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '' }, timeout: 60_000 },
  ).catch((e: unknown) => {
    // psql's own message (stderr) and the server's log say why; the bare exit code does not.
    const err = e as { stderr?: string; message?: string };
    throw new Error(`psql -c ${JSON.stringify(command)} failed: ${err.stderr ?? err.message}\nserver log:\n${server.stderr().slice(-2000)}`);
  });
  return stdout;
}

/** The rows of psql's aligned output, as trimmed cell arrays (header and separator lines excluded). */
function cells(output: string): string[][] {
  const lines = output.split('\n');
  const sep = lines.findIndex((l) => /^-+(\+-+)*$/.test(l));
  assert.ok(sep > 0, `no table in psql output:\n${output}`);
  const rows: string[][] = [];
  for (const line of lines.slice(sep + 1)) {
    if (line === '' || /^\(\d+ rows?\)$/.test(line)) break;
    rows.push(line.split('|').map((c) => c.trim()));
  }
  return rows;
}

before(async () => {
  server = await startServer();
  await psql(
    "CREATE STREAM orders (order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')",
  );
  await psql('CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, region VARCHAR(20))');
  await psql('CREATE CONTINUOUS QUERY revenue AS SELECT customer, sum(amount) AS revenue FROM orders GROUP BY customer');
  await psql('CREATE MATERIALIZED VIEW big AS SELECT order_id, amount FROM orders WHERE amount > 100');
});

after(async () => {
  await server?.stop();
});

test('\\d orders prints the stream\'s columns, types and NOT NULL', async () => {
  const out = await psql('\\d orders');
  assert.match(out, /Table "public\.orders"/);
  assert.deepEqual(cells(out), [
    ['order_id', 'bigint', '', 'not null', ''],
    ['customer', 'text', '', '', ''],
    ['amount', 'double precision', '', '', ''],
    ['ts', 'timestamp with time zone', '', 'not null', ''],
  ]);
});

test('\\d customers prints the primary key', async () => {
  const out = await psql('\\d customers');
  assert.deepEqual(cells(out)[2], ['region', 'character varying(20)', '', '', '']);
  assert.match(out, /"customers_pkey" PRIMARY KEY, btree \(id\)/);
});

test('\\d+ orders shows the watermark; \\d+ revenue the continuous query\'s SELECT', async () => {
  const orders = await psql('\\d+ orders');
  assert.match(orders, /ts +\| timestamp with time zone .*event time; WATERMARK FOR ts AS ts - INTERVAL '5 seconds'/);
  const revenue = await psql('\\d+ revenue');
  assert.match(revenue, /View "public\.revenue"/);
  assert.match(revenue, /View definition:\n +SELECT customer, sum\(amount\) AS revenue FROM orders GROUP BY customer;/);
});

test('\\dt, \\dv, \\dm and \\d list every object with its kind', async () => {
  assert.deepEqual(cells(await psql('\\dt')).map((r) => r.slice(0, 3)), [
    ['public', 'customers', 'table'],
    ['public', 'orders', 'table'],
  ]);
  assert.deepEqual(cells(await psql('\\dv')).map((r) => r.slice(0, 3)), [['public', 'revenue', 'view']]);
  assert.deepEqual(cells(await psql('\\dm')).map((r) => r.slice(0, 3)), [['public', 'big', 'materialized view']]);
  assert.deepEqual(cells(await psql('\\d')).map((r) => r[1]), ['big', 'customers', 'orders', 'revenue']);
});

test('\\l, \\dn, \\df, \\dv sluice.* and \\conninfo', async () => {
  assert.deepEqual(cells(await psql('\\l')).map((r) => r[0]).filter((n) => n !== ''), ['sluice', 'template0', 'template1']);
  assert.deepEqual(cells(await psql('\\dn')).map((r) => r[0]), ['public', 'sluice']);
  assert.deepEqual(cells(await psql('\\df')), []);
  assert.deepEqual(cells(await psql('\\dv sluice.*')).map((r) => r[1]), ['changelogs', 'checkpoints', 'dead_letters', 'queries', 'sinks', 'sources', 'streams', 'subscriptions', 'tables']);
  const conninfo = await psql('\\conninfo');
  assert.match(conninfo, new RegExp(`connected to database "sluice" as user "alice" on host "${server.host}" at port "${server.port}"`));
});

test('a dropped object disappears from \\d', async () => {
  await psql('CREATE STREAM scratch (ts TIMESTAMPTZ NOT NULL)');
  assert.ok(cells(await psql('\\d')).some((r) => r[1] === 'scratch'));
  await psql('DROP STREAM scratch');
  assert.ok(!cells(await psql('\\d')).some((r) => r[1] === 'scratch'));
});
