// How many change-log entries a data directory holds, read straight from its LevelDB (storage/logs.ts): what a trim
// really deleted, not what the server says. The directory must not be open: stop the server first.

import { ClassicLevel } from 'classic-level';
import { NS, namespaceRange } from '../../storage/keys';

export async function countLogEntries(dataDir: string): Promise<number> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dataDir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open({ createIfMissing: false });
  try {
    let n = 0;
    for await (const _key of db.keys(namespaceRange(NS.log))) n++;
    return n;
  } finally {
    await db.close();
  }
}
