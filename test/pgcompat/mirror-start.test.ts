// Starting the catalog mirror's thread against a real PGlite and a real cache directory: a mirror that cannot start
// fails catalog statements with a clear 57P03 (never a hang), the next statement starts a new thread, and the
// template cached in the directory is what later starts load.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SqlError } from '../../engine/errors';
import { CatalogMirror } from '../../server/pgcompat/catalog-mirror';
import { freshDataDir } from '../helpers/server';
import { DEFS, queryMirror } from './fixtures';

const RELNAMES = "SELECT relname FROM pg_catalog.pg_class WHERE relname IN ('orders', 'customers') ORDER BY relname";

/** The template files in `dir` (the cache holds one per PGlite version and template format). */
function cachedTemplates(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /^catalog-mirror-pglite-.*\.tar$/.test(f));
}

async function withMirror<T>(cacheDir: string, fn: (mirror: CatalogMirror) => Promise<T>): Promise<T> {
  const mirror = new CatalogMirror({ cacheDir });
  mirror.sync(DEFS);
  try {
    return await fn(mirror);
  } finally {
    await mirror.close();
  }
}

test('a mirror that cannot start fails the statement with 57P03, and the next statement starts it afresh', async () => {
  const cacheDir = freshDataDir();
  // A first start writes the template; corrupting it makes PGlite fail to load it on the next start.
  await withMirror(cacheDir, async (mirror) => {
    assert.deepEqual(await queryMirror(mirror, RELNAMES), [['customers'], ['orders']]);
    assert.equal(mirror.startup?.templateFromCache, false);
  });
  const [template] = cachedTemplates(cacheDir);
  assert.ok(template, 'the first start cached its template');
  fs.writeFileSync(path.join(cacheDir, template), Buffer.alloc(4096, 7));

  await withMirror(cacheDir, async (mirror) => {
    await assert.rejects(queryMirror(mirror, RELNAMES), (e: unknown) => {
      assert.ok(e instanceof SqlError);
      assert.equal(e.code, '57P03');
      assert.match(e.message, /^the system catalog is not available: /);
      return true;
    });
    fs.rmSync(path.join(cacheDir, template));
    assert.deepEqual(await queryMirror(mirror, RELNAMES), [['customers'], ['orders']]);
    assert.equal(mirror.startup?.templateFromCache, false);
  });

  // That restart cached a good template again, and the next start loads it.
  assert.deepEqual(cachedTemplates(cacheDir), [template]);
  await withMirror(cacheDir, async (mirror) => {
    assert.deepEqual(await queryMirror(mirror, RELNAMES), [['customers'], ['orders']]);
    assert.equal(mirror.startup?.templateFromCache, true);
  });
});
