// A COPY into a stream outside a transaction block is staged on disk batch by batch and made visible by one commit
// at CopyDone (engine/runtime/staged-write.ts, storage/staging.ts). Through the real server: psql's COPY of a few
// hundred thousand rows gives a continuous query the same result as the same COPY held in memory by a transaction
// block; a COPY that fails after many good batches, a client gone mid-COPY and a server killed at CopyDone leave
// nothing visible and no staged key behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { serialize } from 'pg-protocol';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from './helpers/server';
import { RawClient } from './helpers/raw-client';
import { countStagedKeys } from './helpers/staged-keys';
import { waitForValue } from './helpers/wait';

/** Many more rows than one staged batch (64 Ki rows), so a COPY stages several chunks. */
const ROWS = 300_000;
const GROUPS = 7;

function csvRows(from: number, to: number): string {
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`${i % GROUPS},${i}`);
  return lines.join('\n') + '\n';
}

interface PsqlResult {
  readonly code: number;
  readonly stderr: string;
}

/** psql with one -c per command and `input` on its stdin. */
function psql(server: TestServer, commands: readonly string[], input: string): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-h', server.host, '-p', String(server.port), '-U', 'test', '-d', 'sluice',
      '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', ...commands.flatMap((c) => ['-c', c])], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '' }, stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    child.stdin.on('error', () => undefined); // psql may stop reading once the server refuses the COPY
    child.stdin.end(input);
  });
}

async function createPipeline(c: Client, stream: string): Promise<void> {
  await c.query(`CREATE STREAM ${stream} (k BIGINT NOT NULL, v BIGINT NOT NULL)`);
  await c.query(`CREATE CONTINUOUS QUERY ${stream}_totals AS SELECT k, count(*) AS c, sum(v) AS sv FROM ${stream} GROUP BY k`);
}

/** The query's rows as "k c sv" lines, once it has counted `rows` rows. */
async function totals(c: Client, stream: string, rows: number): Promise<string[]> {
  const read = async (): Promise<string[]> =>
    (await c.query(`SELECT k, c, sv FROM ${stream}_totals ORDER BY k`)).rows.map((r) => `${r.k} ${r.c} ${r.sv}`);
  const counted = (lines: string[]): number => lines.reduce((n, l) => n + Number(l.split(' ')[1]), 0);
  return waitForValue(read, (lines) => counted(lines) === rows, `${rows} rows counted by ${stream}_totals`, 60_000);
}

/** Inserts a marker row (k = -1) and waits for the query to show it: by then it has read all that came before. */
async function afterMarker(c: Client, stream: string): Promise<string[]> {
  await c.query(`INSERT INTO ${stream} VALUES (-1, 0)`);
  const read = async (): Promise<string[]> =>
    (await c.query(`SELECT k, c, sv FROM ${stream}_totals ORDER BY k`)).rows.map((r) => `${r.k} ${r.c} ${r.sv}`);
  return waitForValue(read, (lines) => lines.some((l) => l.startsWith('-1 ')), `the marker row in ${stream}_totals`, 60_000);
}

test('a staged COPY gives a continuous query the same result as the same COPY held by a transaction block', async () => {
  const server = await startServer();
  const c = await connectPg(server);
  try {
    await createPipeline(c, 'staged');
    await createPipeline(c, 'held');
    const data = csvRows(0, ROWS);
    const staged = await psql(server, ['COPY staged FROM STDIN (FORMAT csv)'], data);
    assert.equal(staged.code, 0, staged.stderr);
    const held = await psql(server, ['BEGIN', 'COPY held FROM STDIN (FORMAT csv)', 'COMMIT'], data);
    assert.equal(held.code, 0, held.stderr);

    const expected = Array.from({ length: GROUPS }, (_, k) => {
      let count = 0;
      let sum = 0;
      for (let i = k; i < ROWS; i += GROUPS) {
        count++;
        sum += i;
      }
      return `${k} ${count} ${sum}`;
    });
    assert.deepEqual(await totals(c, 'staged', ROWS), expected);
    assert.deepEqual(await totals(c, 'held', ROWS), expected);
  } finally {
    await c.end();
    assert.equal(await server.stop(), 0, server.stderr());
  }
});

test('a COPY that fails after many good batches leaves nothing visible and no staged key', async () => {
  const server = await startServer();
  const c = await connectPg(server);
  try {
    await createPipeline(c, 's');
    const result = await psql(server, ['COPY s FROM STDIN (FORMAT csv)'], csvRows(0, ROWS) + 'x,1\n' + csvRows(0, 1000));
    assert.notEqual(result.code, 0, 'the COPY fails');
    assert.match(result.stderr, /22P02/);
    assert.match(result.stderr, new RegExp(`line ${ROWS + 1}`));
    assert.deepEqual(await afterMarker(c, 's'), ['-1 1 0'], 'no row of the failed COPY is visible');
  } finally {
    await c.end();
    assert.equal(await server.stop(), 0, server.stderr());
  }
  assert.equal(await countStagedKeys(server.dataDir), 0);
});

test('a client gone in the middle of a COPY leaves nothing visible and no staged key', async () => {
  const server = await startServer();
  const c = await connectPg(server);
  try {
    await createPipeline(c, 's');
    const { client } = await RawClient.session(server);
    client.send(serialize.query('COPY s FROM STDIN (FORMAT csv)'));
    assert.equal((await client.readMessage()).type, 'G', 'CopyInResponse');
    const data = Buffer.from(csvRows(0, ROWS));
    for (let at = 0; at < data.length; at += 64 * 1024) client.send(serialize.copyData(data.subarray(at, at + 64 * 1024)));
    client.socket.destroy();
    assert.deepEqual(await afterMarker(c, 's'), ['-1 1 0'], 'no row of the abandoned COPY is visible');
  } finally {
    await c.end();
    assert.equal(await server.stop(), 0, server.stderr());
  }
  assert.equal(await countStagedKeys(server.dataDir), 0);
});

test('a server killed at CopyDone keeps nothing, and its next start deletes the staged chunks', async () => {
  const doomed = await startServer({ env: { SLUICE_FAULT: 'kill-before-commit-write:1' } });
  const c = await connectPg(doomed);
  c.on('error', () => undefined); // the server dies under it
  await createPipeline(c, 's');
  const copy = psql(doomed, ['COPY s FROM STDIN (FORMAT csv)'], csvRows(0, ROWS));
  assert.equal(await doomed.exited(), 137, 'the server was SIGKILLed by the fault hook');
  assert.notEqual((await copy).code, 0, 'the COPY was never acknowledged');
  await c.end().catch(() => undefined);
  assert.ok(await countStagedKeys(doomed.dataDir) > 1, 'the killed COPY had staged its chunks');

  const server = await startServer({ dataDir: doomed.dataDir });
  const reader = await connectPg(server);
  try {
    assert.deepEqual(await afterMarker(reader, 's'), ['-1 1 0'], 'no row of the killed COPY is visible');
    assert.match(server.stderr(), /removed \d+ staged chunks no log entry references/);
  } finally {
    await reader.end();
    assert.equal(await server.stop(), 0, server.stderr());
  }
  assert.equal(await countStagedKeys(server.dataDir), 0);
});

test('a server killed right after the COPY\'s commit is durable keeps every row', async () => {
  const doomed = await startServer({ env: { SLUICE_FAULT: 'kill-after-commit-write:1' } });
  const c = await connectPg(doomed);
  c.on('error', () => undefined);
  await createPipeline(c, 's');
  const copy = psql(doomed, ['COPY s FROM STDIN (FORMAT csv)'], csvRows(0, ROWS));
  assert.equal(await doomed.exited(), 137, 'the server was SIGKILLed by the fault hook');
  await copy;
  await c.end().catch(() => undefined);

  const server = await startServer({ dataDir: doomed.dataDir });
  const reader = await connectPg(server);
  try {
    const lines = await totals(reader, 's', ROWS);
    assert.equal(lines.length, GROUPS);
  } finally {
    await reader.end();
    assert.equal(await server.stop(), 0, server.stderr());
  }
});
