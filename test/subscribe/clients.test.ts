// SUBSCRIBE as users run it: psql printing rows of COPY (SUBSCRIBE ...) TO STDOUT as INSERTs arrive (its stdout
// made line-buffered with stdbuf, as a terminal would have it), and postgres.js reading the COPY-out stream the way
// docs/subscribe.md shows.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Client } from 'pg';
import postgres from 'postgres';
import { startServer, connectPg, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

let server: TestServer;
let sql: Client;

before(async () => {
  server = await startServer();
  sql = await connectPg(server);
  await sql.query('CREATE STREAM orders (region TEXT, amount NUMERIC)');
  await sql.query("CREATE CONTINUOUS QUERY revenue WITH (trigger_interval = '50ms') AS SELECT region, sum(amount) AS total FROM orders GROUP BY region");
});

after(async () => {
  await sql?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

async function subscriptions(): Promise<number> {
  return Number((await sql.query("SELECT count(*) AS n FROM sluice.subscriptions WHERE relation = 'revenue'")).rows[0].n);
}

test('psql prints the rows of each epoch as it commits', async () => {
  const child = spawn('stdbuf', ['-oL', 'psql', '-X', '-h', server.host, '-p', String(server.port), '-U', 'test', '-d', 'sluice',
    '-c', 'COPY (SUBSCRIBE TO revenue WITH (snapshot = false)) TO STDOUT (FORMAT csv)'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await waitFor(async () => (await subscriptions()) === 1, 'psql subscribed');
    await sql.query("INSERT INTO orders VALUES ('eu', 10), ('us', 5)");
    await waitFor(() => out.split('\n').length === 3, `the first epoch printed (so far: ${JSON.stringify(out)} ${err})`);
    const first = out.trim().split('\n').sort();
    const epoch = first[0].split(',')[2];
    assert.deepEqual(first, [`eu,10,${epoch},1`, `us,5,${epoch},1`]);
    await sql.query("INSERT INTO orders VALUES ('eu', 1.5)");
    await waitFor(() => out.split('\n').length === 5, 'the second epoch printed');
    const second = out.trim().split('\n').slice(2).sort();
    const next = second[0].split(',')[2];
    assert.ok(Number(next) > Number(epoch));
    assert.deepEqual(second, [`eu,10,${next},-1`, `eu,11.5,${next},1`]);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  await waitFor(async () => (await subscriptions()) === 0, 'psql gone, the subscription freed');
});

test('postgres.js reads COPY (SUBSCRIBE ...) as a stream and resumes from the last epoch it saw', async () => {
  const client = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', max: 1 });
  try {
    // As in docs/subscribe.md.
    const stream = await client`COPY (SUBSCRIBE TO revenue) TO STDOUT (FORMAT csv)`.readable();
    const lines: string[] = [];
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
    await waitFor(() => lines.length === 2, 'the snapshot');
    const snapshot = lines.slice().sort();
    const epoch = snapshot[0].split(',')[2];
    assert.deepEqual(snapshot, [`eu,11.5,${epoch},1`, `us,5,${epoch},1`]);
    stream.destroy();
    await client.end({ timeout: 1 });
    await waitFor(async () => (await subscriptions()) === 0, 'the subscription freed');

    await sql.query("INSERT INTO orders VALUES ('us', 1)");
    const again = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', max: 1 });
    try {
      const resumed = await again`COPY (SUBSCRIBE TO revenue WITH (from_epoch = ${again.unsafe(epoch)})) TO STDOUT (FORMAT csv)`.readable();
      let text = '';
      resumed.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      await waitFor(() => text.split('\n').length === 3, 'the missed epoch');
      const missed = text.trim().split('\n').sort();
      const next = missed[0].split(',')[2];
      assert.deepEqual(missed, [`us,5,${next},-1`, `us,6,${next},1`]);
      resumed.destroy();
    } finally {
      await again.end({ timeout: 1 });
    }
  } finally {
    await client.end({ timeout: 1 });
  }
});
