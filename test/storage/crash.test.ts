// Commit atomicity under SIGKILL: a child commits epochs in a loop (each racing with stream appends for the same
// group-commit write) and is killed at a random moment; the reopened store must agree with itself.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Store } from '../../storage';
import { helperScript, tempDir } from './helpers/batches';
import { ensureRelations, verifyConsistent } from './helpers/workload';

const KILLS = Number(process.env.SLUICE_STORAGE_KILLS ?? 4);

test('killing a committing process with SIGKILL leaves the last epoch whole', async (t) => {
  const { dir, cleanup } = tempDir('crash');
  t.after(cleanup);
  const seed = Number(process.env.SLUICE_SEED ?? Date.now() % 100_000);
  let rand = seed;
  const next = (): number => (rand = (rand * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  t.diagnostic(`seed ${seed} (replay with SLUICE_SEED=${seed})`);

  let lastEpoch = 0;
  for (let round = 0; round < KILLS; round++) {
    const printed = await runAndKill(dir, 5 + Math.floor(next() * 40));
    const store = await Store.open(dir);
    try {
      const ids = await ensureRelations(store);
      const epoch = await verifyConsistent(store, ids);
      assert.ok(epoch >= printed, `epoch ${epoch} lost an acknowledged commit (child printed ${printed})`);
      assert.ok(epoch > lastEpoch, `round ${round}: no progress past epoch ${lastEpoch}`);
      lastEpoch = epoch;
    } finally {
      await store.close();
    }
  }
});

/** Starts the commit loop, kills it once it printed `afterEpochs` more epochs; returns the last epoch it printed. */
function runAndKill(dir: string, afterEpochs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [helperScript('commit-loop.js'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let last = 0;
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/epoch (\d+)/g)) {
        last = Number(m[1]);
        if (++seen >= afterEpochs && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve(last);
      else reject(new Error(`commit loop ended with ${code ?? signal} before being killed: ${stderr}`));
    });
  });
}
