// Who may use the HTTP API: with --users, HTTP Basic against the same users as the wire protocol (401 with
// WWW-Authenticate otherwise); without, trust, but only on a loopback address.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectPg, freshDataDir, startServer, type TestServer } from '../helpers/server';
import { call } from './client';

describe('HTTP auth with --users', () => {
  let server: TestServer;
  before(async () => {
    const users = join(freshDataDir(), 'users');
    writeFileSync(users, 'alice:wonder:land\ncarol:pass\u00ADword\n');
    server = await startServer({ args: ['--users', users] });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  test('no credentials, a wrong password, an unknown user: 401 with WWW-Authenticate, on every route', async () => {
    for (const path of ['/api/v1/status', '/api/v1/streams', '/api/v1/openapi.json']) {
      for (const credentials of [{}, { user: 'alice', password: 'wonder' }, { user: 'mallory', password: 'wonder:land' }]) {
        const answer = await call(server, 'GET', path, credentials);
        assert.equal(answer.status, 401, `${path} ${JSON.stringify(credentials)}`);
        assert.equal(answer.body.error.sqlstate, '28P01');
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic realm="sluice"/);
      }
    }
  });

  test('the right password (with a colon; SASLprepped as on the wire): the request runs as that user', async () => {
    const answer = await call(server, 'POST', '/api/v1/sql', { user: 'alice', password: 'wonder:land', body: { sql: 'SELECT current_user' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.results[0].rows, [['alice']]);
    const carol = await call(server, 'GET', '/api/v1/status', { user: 'carol', password: 'password' });
    assert.equal(carol.status, 200);
  });

  test('the wire protocol still asks for the same passwords', async () => {
    await assert.rejects(connectPg(server, { user: 'alice', password: 'wrong' }), /password authentication failed/);
    const client = await connectPg(server, { user: 'alice', password: 'wonder:land' });
    await client.end();
  });
});

describe('HTTP auth without --users', () => {
  test('on loopback: trusted', async () => {
    const server = await startServer();
    try {
      const answer = await call(server, 'GET', '/api/v1/status');
      assert.equal(answer.status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test('on an address other machines reach: 403, with a hint to give --users', async () => {
    // --insecure-trust lets the wire protocol trust off loopback; the HTTP API still refuses to.
    const server = await startServer({ args: ['--host', '0.0.0.0', '--insecure-trust'] });
    try {
      const answer = await call({ host: '127.0.0.1', httpPort: server.httpPort }, 'GET', '/api/v1/status');
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.sqlstate, '28000');
      assert.match(answer.body.error.hint, /--users/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
