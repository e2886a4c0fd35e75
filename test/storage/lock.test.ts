import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Store } from '../../storage';
import { helperScript, tempDir } from './helpers/batches';

test('a second process on the same data directory fails at once with a clear message', async (t) => {
  const { dir, cleanup } = tempDir('lock');
  t.after(cleanup);
  const store = await Store.open(dir);
  try {
    const child = spawnSync(process.execPath, [helperScript('open-once.js'), dir], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(child.status, 1, child.stderr);
    const report = JSON.parse(child.stdout.trim());
    assert.equal(report.opened, false);
    assert.equal(report.reason, 'locked');
    assert.match(report.message, /^data directory .*sluice-lock-.* is in use by another Sluice server$/);
  } finally {
    await store.close();
  }
  // Once the first server is gone, the directory opens again.
  const again = spawnSync(process.execPath, [helperScript('open-once.js'), dir], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.deepEqual(JSON.parse(again.stdout.trim()), { opened: true });
});
