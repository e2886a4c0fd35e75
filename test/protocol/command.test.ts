// The `sluice` command: --help, bad options (exit 2), a port in use (exit 1), the listening line, and a clean
// shutdown on SIGINT / SIGTERM (exit 0) that tells connected clients why they are cut off (57P01).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { serialize } from 'pg-protocol';
import { connectPg, freshDataDir, startServer } from '../helpers/server';
import { errorFields, RawClient } from '../helpers/raw-client';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'sluice.js');
const MAIN = join(__dirname, '..', '..', 'server', 'main.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sluice command', () => {
  test('--help prints the usage and exits 0 (also through bin/sluice.js)', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: sluice \[options\]/);
    assert.match(r.stdout, /--max-connections/);
    const viaBin = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(viaBin.status, 0);
    assert.match(viaBin.stdout, /Usage: sluice/);
  });

  test('a bad option prints the error and the usage to stderr and exits 2', () => {
    for (const args of [['--bogus'], ['--port', 'abc'], ['--max-connections', '0'], ['extra']]) {
      const r = run(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^sluice: .+\n\nUsage: sluice/);
    }
  });

  test('an unreadable users file exits 2 with a clear message', () => {
    const r = run(['--users', '/nonexistent/users', '--data-dir', freshDataDir()]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read users file \/nonexistent\/users/);
  });

  test('trust on a non-loopback address: refuses to start (exit 2) unless --insecure-trust', async () => {
    const r = run(['--host', '0.0.0.0', '--port', '0', '--http-port', 'off', '--data-dir', freshDataDir()]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^sluice: without --users every client is trusted, and only on a loopback address; refusing to listen on 0\.0\.0\.0\./);
    assert.match(r.stderr, /--insecure-trust/);
    const insecure = await startServer({ args: ['--host', '0.0.0.0', '--insecure-trust'] });
    try {
      const client = await connectPg({ host: '127.0.0.1', port: insecure.port });
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
      await client.end();
    } finally {
      assert.equal(await insecure.stop(), 0);
    }
  });

  test('a port in use: a clear message and exit 1', async () => {
    const first = await startServer();
    try {
      const r = run(['--port', String(first.port), '--data-dir', freshDataDir()]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.port}: the address is already in use`));
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });

  test('prints the listening line with the real ports for --port 0 and --http-port 0', async () => {
    const s = await startServer();
    assert.ok(s.port > 0);
    assert.ok(s.httpPort !== null && s.httpPort > 0 && s.httpPort !== s.port);
    assert.match(s.stdout(), new RegExp(`listening on 127\\.0\\.0\\.1:${s.port}, http on 127\\.0\\.0\\.1:${s.httpPort}\\n`));
    assert.equal(await s.stop(), 0);
  });

  test('--http-port off: no HTTP server, and the listening line says so by leaving it out', async () => {
    const s = await startServer({ args: ['--http-port', 'off'] });
    assert.equal(s.httpPort, null);
    assert.match(s.stdout(), new RegExp(`listening on 127\\.0\\.0\\.1:${s.port}\\n`));
    assert.equal(await s.stop(), 0);
  });

  test('an HTTP port in use: a clear message and exit 1', async () => {
    const first = await startServer();
    try {
      const r = run(['--port', '0', '--http-port', String(first.httpPort), '--data-dir', freshDataDir()]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.httpPort}: the address is already in use`));
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });

  test('a bad --http-port exits 2', () => {
    const r = run(['--http-port', 'none']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--http-port must be an integer from 0 to 65535, got "none"/);
  });

  test('SIGINT shuts down with exit 0', async () => {
    const s = await startServer();
    s.kill('SIGINT');
    assert.equal(await s.exited(), 0);
  });

  test('SIGTERM with connected clients: they get 57P01, the server exits 0', async () => {
    const s = await startServer();
    const idle = (await RawClient.session(s)).client;
    const busy = (await RawClient.session(s)).client;
    await busy.startStatement(serialize.query('SELECT pg_sleep(30)'));
    const started = Date.now();
    s.kill('SIGTERM');
    const e = await idle.readMessage();
    assert.equal(errorFields(e).C, '57P01');
    assert.equal(errorFields(e).S, 'FATAL');
    assert.ok(await idle.waitClosed());
    assert.ok(await busy.waitClosed(5000));
    assert.equal(await s.exited(), 0);
    assert.ok(Date.now() - started < 5000, 'a running statement does not hold up shutdown');
  });
});
