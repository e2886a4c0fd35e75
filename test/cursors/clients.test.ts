// Server-side cursors as clients use them: psql's FETCH_COUNT (BEGIN; DECLARE _psql_cursor NO SCROLL CURSOR FOR
// ...; FETCH FORWARD n ...; CLOSE; COMMIT), postgres.js's cursor() (Execute with a row limit on a portal) and
// psycopg2's named cursors (DECLARE "name" CURSOR WITHOUT / WITH HOLD FOR ...; FETCH FORWARD itersize FROM "name").
// SQLAlchemy's stream_results streams through such a named cursor.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import postgres from 'postgres';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { DEBIAN_PYTHON, ensurePythonModule } from '../helpers/python';

let server: TestServer;
before(async () => {
  server = await startServer();
  const pg = await connectPg(server);
  await pg.query('CREATE TABLE items (id INT PRIMARY KEY, name TEXT)');
  // Ids 10..29 and names of one width: psql's aligned output with FETCH_COUNT sizes columns per fetched part.
  await pg.query(`INSERT INTO items VALUES ${Array.from({ length: 20 }, (_, i) => `(${i + 10}, 'item ${i + 10}')`).join(', ')}`);
  await pg.end();
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr());
});

function psql(args: string[], input?: string): string {
  const r = spawnSync('psql', ['-h', server.host, '-p', String(server.port), '-X', '-v', 'ON_ERROR_STOP=1', ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, PGUSER: 'test', PGDATABASE: 'sluice', PGCONNECT_TIMEOUT: '5' },
    timeout: 15_000,
  });
  assert.equal(r.status, 0, `psql ${args.join(' ')} failed: ${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
  return r.stdout;
}

describe('psql FETCH_COUNT', () => {
  const query = 'SELECT id, name FROM items ORDER BY id';

  test('prints the same as without it, aligned and unaligned', () => {
    for (const format of [[], ['-A']]) {
      const plain = psql([...format, '-c', query]);
      assert.match(plain, /\(20 rows\)/);
      assert.equal(psql([...format, '-v', 'FETCH_COUNT=3', '-c', query]), plain);
    }
  });

  test('inside a transaction block of the user, twice (psql closes its cursor each time)', () => {
    const out = psql(['-A', '-t'], `\\set FETCH_COUNT 7\nBEGIN;\n${query};\n${query};\nCOMMIT;\n`);
    const rows = Array.from({ length: 20 }, (_, i) => `${i + 10}|item ${i + 10}`);
    assert.deepEqual(out.split('\n').filter((l) => l !== ''), ['BEGIN', ...rows, ...rows, 'COMMIT']);
  });
});

describe('postgres.js', () => {
  test('cursor(n) reads a SELECT in parts of n rows', async () => {
    const sql = postgres({ host: server.host, port: server.port, user: 'test', database: 'sluice', fetch_types: false, max: 1 });
    try {
      const parts: number[][] = [];
      for await (const rows of sql`SELECT id FROM items ORDER BY id`.cursor(6)) parts.push(rows.map((r) => r.id as number));
      assert.deepEqual(parts.map((p) => p.length), [6, 6, 6, 2]);
      assert.deepEqual(parts.flat(), Array.from({ length: 20 }, (_, i) => i + 10));
      // A DECLAREd cursor through postgres.js too, inside its transaction.
      const fetched = await sql.begin(async (tx) => {
        await tx.unsafe('DECLARE c CURSOR FOR SELECT id FROM items WHERE id >= 25 ORDER BY id');
        const a = await tx.unsafe('FETCH 2 FROM c');
        const b = await tx.unsafe('FETCH ALL FROM c');
        await tx.unsafe('CLOSE c');
        return [a.map((r) => r.id), b.map((r) => r.id)];
      });
      assert.deepEqual(fetched, [[25, 26], [27, 28, 29]]);
    } finally {
      await sql.end();
    }
  });
});

describe('psycopg2 named cursors', () => {
  test('itersize parts, fetchmany, and a WITH HOLD cursor across commit', () => {
    ensurePythonModule('psycopg2', 'python3-psycopg2');
    const script = `
import json, sys, psycopg2
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user='test', dbname='sluice')
out = {}
cur = conn.cursor(name='named')
cur.itersize = 6
cur.execute('SELECT id, name FROM items ORDER BY id')
out['iterated'] = [list(r) for r in cur]
cur.close()
cur = conn.cursor(name='parts')
cur.execute('SELECT id FROM items WHERE id < %s ORDER BY id', (15,))
out['fetchmany'] = [[r[0] for r in cur.fetchmany(3)], [r[0] for r in cur.fetchmany(3)]]
cur.close()
conn.commit()
held = conn.cursor(name='held', withhold=True)
held.execute('SELECT id FROM items ORDER BY id')
first = [r[0] for r in held.fetchmany(2)]
conn.commit()
out['held'] = [first, [r[0] for r in held.fetchmany(2)]]
held.close()
conn.close()
print(json.dumps(out))
`;
    const r = spawnSync(DEBIAN_PYTHON, ['-c', script, server.host, String(server.port)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `python failed: ${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
    const out = JSON.parse(r.stdout) as { iterated: [number, string][]; fetchmany: number[][]; held: number[][] };
    assert.deepEqual(out.iterated, Array.from({ length: 20 }, (_, i) => [i + 10, `item ${i + 10}`]));
    assert.deepEqual(out.fetchmany, [[10, 11, 12], [13, 14]]);
    assert.deepEqual(out.held, [[10, 11], [12, 13]]);
  });
});

describe('SQLAlchemy stream_results', () => {
  test('streams a SELECT through a server-side cursor, max_row_buffer rows at a time', () => {
    ensurePythonModule('psycopg2', 'python3-psycopg2');
    ensurePythonModule('sqlalchemy', 'python3-sqlalchemy');
    const script = `
import json, sys, sqlalchemy as sa
engine = sa.create_engine(f'postgresql+psycopg2://test@{sys.argv[1]}:{sys.argv[2]}/sluice')
with engine.connect() as conn:
    result = conn.execution_options(stream_results=True, max_row_buffer=4).execute(
        sa.text('SELECT id, name FROM items WHERE id >= :low ORDER BY id'), {'low': 15})
    # psycopg2 names the cursor SQLAlchemy streams through: a named cursor is a DECLARE ... CURSOR on the server.
    named = result.cursor.name
    rows = [list(r) for r in result]
print(json.dumps({'named': named is not None, 'rows': rows}))
`;
    const r = spawnSync(DEBIAN_PYTHON, ['-c', script, server.host, String(server.port)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `python failed: ${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
    const out = JSON.parse(r.stdout) as { named: boolean; rows: [number, string][] };
    assert.equal(out.named, true, 'SQLAlchemy used a server-side (named) cursor');
    assert.deepEqual(out.rows, Array.from({ length: 15 }, (_, i) => [i + 15, `item ${i + 15}`]));
  });
});
