// How many staged COPY chunks and commit marks a data directory holds, read straight from its LevelDB (storage/
// staging.ts). The directory must not be open: stop the server or close the store first.

import { ClassicLevel } from 'classic-level';
import { NS, namespaceRange } from '../../storage/keys';

export async function countStagedKeys(dataDir: string): Promise<number> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dataDir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open({ createIfMissing: false });
  try {
    let n = 0;
    for await (const _key of db.keys(namespaceRange(NS.staged))) n++;
    return n;
  } finally {
    await db.close();
  }
}
