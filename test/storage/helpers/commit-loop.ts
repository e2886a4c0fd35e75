// Child process for the crash test: commits epochs of the workload forever on the data directory given as argv[2],
// printing "epoch N" after each durable commit, until the parent kills it with SIGKILL.

import { Store } from '../../../storage';
import { ensureRelations, runEpochs } from './workload';

async function main(): Promise<void> {
  const store = await Store.open(process.argv[2]);
  const ids = await ensureRelations(store);
  await runEpochs(store, ids, Infinity, (e) => process.stdout.write(`epoch ${e}\n`));
}

main().catch((e) => {
  process.stderr.write(`commit-loop failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
