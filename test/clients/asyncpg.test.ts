// asyncpg (Debian's python3-asyncpg) against the real server: it prepares every statement and sends and reads
// values in binary (NUMERIC as Decimal, TIMESTAMPTZ, INTERVAL, DATE, JSONB, ...), so every value is compared exactly
// with what was sent. Also a prepared statement reused, a cursor iterated in a transaction, executemany into a stream
// read back through a continuous query, and copy_records_to_table, which needs COPY's binary format (not supported:
// asyncpg must get a clear 0A000).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, type TestServer } from '../helpers/server';
import { DEBIAN_PYTHON, ensurePythonModule } from '../helpers/python';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

const SCRIPT = String.raw`
import asyncio, datetime, decimal, json, sys, time, asyncpg

async def main():
    conn = await asyncpg.connect(host=sys.argv[1], port=int(sys.argv[2]), user='test', database='sluice')
    out = {}
    await conn.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, amount NUMERIC, ts TIMESTAMPTZ, ok BOOLEAN, name TEXT, "
                       "doc JSONB, day DATE, span INTERVAL, ratio DOUBLE PRECISION)")
    await conn.execute("CREATE STREAM payments (id BIGINT NOT NULL, amount NUMERIC, ts TIMESTAMPTZ NOT NULL, "
                       "WATERMARK FOR ts AS ts - INTERVAL '1 second')")
    await conn.execute("CREATE CONTINUOUS QUERY totals AS SELECT id, sum(amount) AS total, count(*) AS n FROM payments GROUP BY id")

    ts = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)
    rows = [
        (1, decimal.Decimal('12345678901234567890.123456789012345678'), ts, True, 'héllo ☃', '{"a": [1, 2.5, "x"], "b": null}',
         datetime.date(2024, 2, 29), datetime.timedelta(days=3, seconds=3661, microseconds=5), 0.1),
        (2, decimal.Decimal('-0.000000000000000000000000000001'), datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
         False, '', '[]', datetime.date(1, 1, 1), datetime.timedelta(microseconds=-1), -1.7976931348623157e308),
        (3, None, None, None, None, None, None, None, None),
    ]
    for r in rows:
        await conn.execute("INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", *r)
    fetched = [tuple(r) for r in await conn.fetch("SELECT * FROM items ORDER BY id")]
    out['roundtrip'] = [list(map(repr, r)) for r in fetched]
    out['sent'] = [list(map(repr, r)) for r in rows]

    by_id = await conn.prepare("SELECT id, amount FROM items WHERE id = $1")
    out['prepared'] = [repr((await by_id.fetchrow(i)) and tuple(await by_id.fetchrow(i))) for i in (1, 2, 99, 1)]

    async with conn.transaction():
        out['cursor'] = [r['id'] async for r in conn.cursor("SELECT id FROM items ORDER BY id", prefetch=1)]

    await conn.executemany("INSERT INTO payments VALUES ($1, $2, $3)", [
        (1, decimal.Decimal('0.1'), ts), (1, decimal.Decimal('99999999999999999999.99'), ts), (2, decimal.Decimal('-3.5'), ts)])
    deadline = time.monotonic() + 20
    while True:
        totals = [tuple(r) for r in await conn.fetch("SELECT id, total, n FROM totals ORDER BY id")]
        if len(totals) == 2 and totals[0][2] == 2 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    out['totals'] = repr(totals)

    try:
        await conn.copy_records_to_table('items', records=[rows[0]])
        out['copy'] = 'accepted'
    except asyncpg.PostgresError as e:
        out['copy'] = [e.sqlstate, str(e)]
    out['after_copy'] = await conn.fetchval("SELECT count(*) FROM items")
    await conn.close()
    print(json.dumps(out))

asyncio.run(main())
`;

test('asyncpg: binary parameters and results round-trip exactly; prepared statements, cursors, executemany', () => {
  ensurePythonModule('asyncpg', 'python3-asyncpg');
  const r = spawnSync(DEBIAN_PYTHON, ['-c', SCRIPT, server.host, String(server.port)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `python failed: ${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.roundtrip, out.sent);
  assert.deepEqual(out.prepared, [
    "(1, Decimal('12345678901234567890.123456789012345678'))",
    "(2, Decimal('-1E-30'))",
    'None',
    "(1, Decimal('12345678901234567890.123456789012345678'))",
  ]);
  assert.deepEqual(out.cursor, [1, 2, 3]);
  assert.equal(out.totals, "[(1, Decimal('100000000000000000000.09'), 2), (2, Decimal('-3.5'), 1)]");
  assert.deepEqual(out.copy, ['0A000', 'COPY format "binary" is not supported']);
  assert.equal(out.after_copy, 3);
});
