// One big value does not hold every session (issue 15: inserting a 50 MB text value blocked others for 16 s). Its
// statement is read, lexed, planned, made a batch, checked, encoded and written in steps that give the event loop
// back between them (engine/slices.ts yieldAfterBigStep), and each step is a few native copies, not a loop over its
// characters: the lexer skips a literal with indexOf, UTF-8 is checked with isAscii, the tuple codec copies text
// without a NUL in one go.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { connectPg, startServer, type TestServer } from '../helpers/server';

const VALUE_BYTES = 20 * 1024 * 1024;

let server: TestServer;
let pg: Client;
let probe: Client;

before(async () => {
  server = await startServer();
  [pg, probe] = [await connectPg(server), await connectPg(server)];
  await pg.query('CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT)');
});

after(async () => {
  await pg.end();
  await probe.end();
  assert.equal(await server.stop(), 0, server.stderr());
});

test('SELECT 1 on another connection keeps answering while a 20 MB literal is inserted; the value round-trips', async () => {
  // Not one character repeated: a value the lexer, the codecs and the storage must carry byte for byte.
  const value = 'abcdefghij0123456789'.repeat(VALUE_BYTES / 20).replace(/0/g, (_, at: number) => (at % 7 === 0 ? "''" : '0'));
  const inserting = pg.query(`INSERT INTO docs VALUES (1, '${value}')`);
  let settled = false;
  void inserting.then(() => (settled = true), () => (settled = true));
  const times: number[] = [];
  while (!settled) {
    const t0 = performance.now();
    await probe.query('SELECT 1');
    times.push(performance.now() - t0);
  }
  await inserting;
  const max = Math.max(...times);
  console.log(`probe during a 20 MB insert: ${times.length} round trips, max ${max.toFixed(0)} ms`);
  // Before the fix this blocked 1 to 1.5 s at 20 MB on this machine (16 s at 50 MB when the issue was filed); the
  // steps now take 100 to 400 ms each under a load of 10 on 2 cores. The bound sits between, for a loaded machine.
  assert.ok(max <= 800, `a probe waited ${max.toFixed(0)} ms`);
  const { rows } = await pg.query('SELECT body FROM docs WHERE id = 1');
  const expected = value.replace(/''/g, "'");
  assert.equal(rows[0].body.length, expected.length);
  assert.ok(rows[0].body === expected, 'the value comes back byte for byte');
});
