// An interval join of two streams keeps only what can still match: as both streams' watermarks pass, the rows
// beyond the bound are evicted, so its state stays flat however long it runs; a row below the watermark is late
// (counted, dead-lettered, joined with nothing). Through the wire, against the real server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectPg, startServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

const BASE = Date.UTC(2026, 0, 1, 10, 0, 0);
const ROUNDS = 16;
const PER_ROUND = 200;

const iso = (ms: number): string => new Date(ms).toISOString();

test('an interval join evicts what the watermark has passed: state_bytes stays flat over a long run', async () => {
  const server = await startServer();
  const client = await connectPg(server);
  try {
    for (const ddl of [
      `CREATE STREAM orders (id BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`,
      `CREATE STREAM payments (order_id BIGINT NOT NULL, amount DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL,
         WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`,
      `CREATE CONTINUOUS QUERY paid WITH (trigger_interval = '50 milliseconds') AS
         SELECT o.id, p.amount FROM orders o JOIN payments p
         ON o.id = p.order_id AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '10 seconds'`,
    ]) await client.query(ddl);

    const stateBytes: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // An order a second, each paid 3 s later.
      const ids = Array.from({ length: PER_ROUND }, (_, k) => r * PER_ROUND + k);
      await client.query(`INSERT INTO orders VALUES ${ids.map((id) => `(${id}, '${iso(BASE + id * 1000)}')`).join(', ')}`);
      await client.query(`INSERT INTO payments VALUES ${ids.map((id) => `(${id}, ${id % 50}, '${iso(BASE + id * 1000 + 3000)}')`).join(', ')}`);
      const expected = (r + 1) * PER_ROUND;
      await waitForValue(async () => Number((await client.query('SELECT count(*) AS n FROM paid')).rows[0].n),
        (n) => n === expected, `round ${r}: ${expected} paid orders`);
      // The epoch that produced the last match has committed its state with it.
      stateBytes.push(Number((await client.query(`SELECT state_bytes FROM sluice.queries WHERE name = 'paid'`)).rows[0].state_bytes));
    }
    const q = (await client.query(`SELECT late_rows, watermark::text FROM sluice.queries WHERE name = 'paid'`)).rows[0];
    assert.equal(Number(q.late_rows), 0);
    // The smaller of the two streams' watermarks: the last order's time less 5 s.
    assert.equal(q.watermark, '2026-01-01 10:53:14+00');
    // Flat: what the last round keeps is what the fourth kept, though four times as many rows have gone in.
    const early = stateBytes[3];
    const last = stateBytes[ROUNDS - 1];
    assert.ok(last > 0 && last <= early * 1.2, `state_bytes by round: ${stateBytes.join(', ')}`);
    assert.ok(last * 20 < ROUNDS * PER_ROUND * 2 * 112, `state_bytes ${last} after ${ROUNDS * PER_ROUND * 2} rows`);

    // An order below the watermark is late: it joins nothing, and says why.
    await client.query(`INSERT INTO orders VALUES (99999, '${iso(BASE)}')`);
    await client.query(`INSERT INTO payments VALUES (99999, 1, '${iso(BASE + 1000)}')`);
    await waitForValue(async () => Number((await client.query(`SELECT late_rows FROM sluice.queries WHERE name = 'paid'`)).rows[0].late_rows),
      (n) => n === 2, 'the late order and payment to be counted');
    const dead = await client.query(`SELECT reason, error FROM sluice.dead_letters WHERE source = 'paid' ORDER BY error`);
    assert.deepEqual(dead.rows.map((d) => d.reason), ['late', 'late']);
    assert.match(dead.rows[0].error, /event time 2026-01-01 10:00:00\+00 is below the watermark/);
    assert.equal(Number((await client.query('SELECT count(*) AS n FROM paid WHERE id = 99999')).rows[0].n), 0);
  } finally {
    await client.end();
    await server.stop();
  }
});
