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
  // Past the default --max-statement-size (16 MB of SQL text): a statement this big is refused with 54000 unless
  // the limit is raised, and then it must still not hold the other sessions.
  server = await startServer({ args: ['--max-statement-size', '32'] });
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
  const started = performance.now();
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
  const took = performance.now() - started;
  const max = Math.max(...times);
  console.log(`probe during a 20 MB insert of ${took.toFixed(0)} ms: ${times.length} round trips, max ${max.toFixed(0)} ms`);
  // How long a step takes depends on the machine's load (here 2 cores shared with other runs: 200 ms to 1 s), so
  // the bound is relative: no step may hold the loop for half the statement. Before the fix the statement was
  // nearly one piece (the probe waited 63-74% of it, 1 to 1.5 s at 20 MB; 16 s at 50 MB when the issue was filed);
  // with its steps apart, the longest is about a quarter.
  assert.ok(max <= took / 2, `a probe waited ${max.toFixed(0)} ms of the insert's ${took.toFixed(0)} ms`);
  const { rows } = await pg.query('SELECT body FROM docs WHERE id = 1');
  const expected = value.replace(/''/g, "'");
  assert.equal(rows[0].body.length, expected.length);
  assert.ok(rows[0].body === expected, 'the value comes back byte for byte');
});
