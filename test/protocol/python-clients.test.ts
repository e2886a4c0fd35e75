// Python drivers that send what node-postgres does not: asyncpg puts client_encoding = "'utf-8'" (quotes
// included) in its StartupMessage and prepares every statement, and TypeORM-style introspection reads
// current_schema() as a table.

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

test('asyncpg connects, prepares and reads current_schema() as a table', () => {
  ensurePythonModule('asyncpg', 'python3-asyncpg');
  const script = `
import asyncio, json, sys, asyncpg
async def main():
    conn = await asyncpg.connect(host=sys.argv[1], port=int(sys.argv[2]), user='test', database='sluice')
    out = {
        'encoding': await conn.fetchval('SHOW client_encoding'),
        'sum': await conn.fetchval('SELECT $1::int + 1', 41),
        'schema': await conn.fetchval('SELECT * FROM current_schema()'),
        'version_num': await conn.fetchval("SELECT current_setting('server_version_num')::int"),
    }
    await conn.close()
    print(json.dumps(out))
asyncio.run(main())
`;
  const r = spawnSync(DEBIAN_PYTHON, ['-c', script, server.host, String(server.port)], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `python failed: ${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
  assert.deepEqual(JSON.parse(r.stdout), { encoding: 'UTF8', sum: 42, schema: 'public', version_num: 150000 });
});
