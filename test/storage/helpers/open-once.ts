// Child process for the lock test: tries to open the data directory argv[2] and reports what happened as one JSON
// line, exiting 1 on failure the way the server does.

import { StorageError, Store } from '../../../storage';

Store.open(process.argv[2]).then(
  async (store) => {
    process.stdout.write(JSON.stringify({ opened: true }) + '\n');
    await store.close();
  },
  (e: unknown) => {
    const reason = e instanceof StorageError ? e.reason : 'not a StorageError';
    process.stdout.write(JSON.stringify({ opened: false, reason, message: (e as Error).message }) + '\n');
    process.exit(1);
  },
);
