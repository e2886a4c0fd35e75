// Runs every test/slt/*.slt file against its own fresh server, through node-postgres.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { startServer, connectPg } from './helpers/server';
import { runSlt } from './slt/runner';

// Compiled to dist/test; the .slt files stay in the source tree.
const dir = path.join(__dirname, '..', '..', 'test', 'slt');
const files = readdirSync(dir).filter((f) => f.endsWith('.slt')).sort();

test('there are sqllogictest files', () => {
  assert.ok(files.length > 0, `no .slt files in ${dir}`);
});

for (const file of files) {
  test(`slt ${file}`, async () => {
    const server = await startServer();
    const client = await connectPg(server);
    try {
      const n = await runSlt(path.join(dir, file), client);
      assert.ok(n > 0, `${file} has no records`);
    } finally {
      await client.end().catch(() => undefined);
      const code = await server.stop();
      assert.equal(code, 0, `server exited with ${code}:\n${server.stderr()}`);
    }
  });
}
