// GET /health and GET /ready across a server's life: both 200 once it listens, without credentials even under
// --users; from SIGTERM on, /ready never says 200 again (503 while HTTP still answers, then nothing listens).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDataDir, startServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';
import { apiBase, call } from './client';

/** The status of GET `path`, or 'refused' when nothing answers. */
async function probe(base: string, path: string): Promise<number | 'refused'> {
  try {
    const response = await fetch(`${base}${path}`);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'refused';
  }
}

test('/health and /ready answer 200 without credentials under --users; other routes still ask for them', async () => {
  const users = join(freshDataDir(), 'users');
  writeFileSync(users, 'alice:secret\n');
  const server = await startServer({ args: ['--users', users] });
  try {
    const health = await call(server, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await call(server, 'GET', '/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
    assert.equal((await call(server, 'GET', '/metrics')).status, 401);
    const metrics = await fetch(`${apiBase(server)}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
    });
    assert.equal(metrics.status, 200);
    await metrics.arrayBuffer();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('/ready is 200 once the server listens with its queries started, and never 200 again after SIGTERM', async () => {
  const dataDir = freshDataDir();
  const first = await startServer({ dataDir });
  await call(first, 'POST', '/api/v1/sql', {
    body: { sql: "CREATE STREAM s (k INT) WITH (retention = '1 hour'); CREATE CONTINUOUS QUERY q AS SELECT count(*) AS n FROM s" },
  });
  assert.equal(await first.stop(), 0);

  // Restarted on the same data: when it listens, its query is running, and /ready says so.
  const server = await startServer({ dataDir });
  const base = apiBase(server);
  assert.equal(await probe(base, '/ready'), 200);
  const queries = await call(server, 'GET', '/api/v1/queries/q');
  assert.equal(queries.body.status, 'running');

  server.kill('SIGTERM');
  const seen: (number | 'refused')[] = [];
  await waitForValue(async () => {
    const status = await probe(base, '/ready');
    seen.push(status);
    return status;
  }, (status) => status === 'refused', 'the HTTP server to stop listening');
  assert.equal(await server.exited(), 0);
  // The first probe may still have been answered before the signal arrived; none after a 503 or a refusal.
  const afterFirst = seen.slice(1);
  assert.ok(afterFirst.every((s) => s === 503 || s === 'refused'), `after SIGTERM /ready answered ${seen.join(', ')}`);
  assert.equal(await probe(base, '/health'), 'refused');
});
