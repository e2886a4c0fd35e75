// The catalog mirror's own time limit: every session shares the mirror, so a catalog statement is stopped after
// statementTimeLimitMs (default 10 s) even when its session has no statement_timeout, and the next one runs on a new
// mirror thread. Here the limit is 500 ms, against a statement that would run for minutes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlError } from '../../engine/errors';
import { CatalogMirror } from '../../server/pgcompat/catalog-mirror';
import { DEFS, queryMirror } from './fixtures';

const LIMIT_MS = 500;
/** Generous: far above the limit, far below the minutes the statement would run. */
const STOPPED_WITHIN_MS = 8000;

let mirror: CatalogMirror;

before(async () => {
  mirror = new CatalogMirror({ statementTimeLimitMs: LIMIT_MS });
  mirror.sync(DEFS);
  await queryMirror(mirror, 'SELECT 1 FROM pg_catalog.pg_am LIMIT 1'); // started: what follows measures the limit
});

after(async () => {
  await mirror.close();
});

test('a catalog statement past the mirror time limit answers 57014; the next one runs', async (t) => {
  const began = Date.now();
  await assert.rejects(queryMirror(mirror, 'SELECT count(*) FROM pg_catalog.generate_series(1, 10000000000) AS g'), (e: unknown) => {
    assert.ok(e instanceof SqlError);
    assert.equal(e.code, '57014');
    assert.equal(e.message, 'canceling statement due to statement timeout');
    assert.equal(e.detail, `A catalog statement may run for at most ${LIMIT_MS} ms.`);
    return true;
  });
  const stoppedMs = Date.now() - began;
  assert.ok(stoppedMs < STOPPED_WITHIN_MS, `stopped after ${stoppedMs} ms`);
  const rows = await queryMirror(mirror, "SELECT relname FROM pg_catalog.pg_class WHERE relname = 'orders'");
  assert.deepEqual(rows, [['orders']]);
  t.diagnostic(`stopped ${stoppedMs} ms after it started (limit ${LIMIT_MS} ms); the next statement answered ${Date.now() - began - stoppedMs} ms later`);
});
