// Checks the expected results of .slt files against a real PostgreSQL 15: runs the part of each file above the line
// "# --- Sluice only" (all of it when there is none) in a fresh schema, with the session time zone UTC. Not part of
// `npm test` (it needs a PostgreSQL server); run it after changing an expected result:
//
//   node dist/test/slt/pg-check.js postgres://postgres@127.0.0.1:5499/postgres test/slt/select.slt ...
//
// Files that use streaming statements before that marker cannot run there; pg_differences.slt is Sluice's own.

import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runSlt } from './runner';

async function main(): Promise<number> {
  const [url, ...files] = process.argv.slice(2);
  if (!url || files.length === 0) {
    console.error('usage: pg-check.js postgres://user@host:port/db file.slt ...');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'slt-pg-'));
  let failed = 0;
  for (const file of files) {
    const part = join(dir, 'part.slt');
    writeFileSync(part, readFileSync(file, 'utf8').split('# --- Sluice only')[0]);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; SET timezone = UTC');
      const n = await runSlt(part, client);
      console.log(`ok   ${file}: ${n} records agree with PostgreSQL`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${file}: ${(e as Error).message.replace(part, file)}`);
    } finally {
      await client.end();
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
