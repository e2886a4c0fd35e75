// `sluice --check-data-dir DIR`: verifies a data directory offline, as a start would (format version, LevelDB's own
// checks, damage found earlier, and the marker of storage/marker.ts), and prints what it found. Exit 0 if it is sound,
// 1 if not. Opening it does what a start does first: it may finish recovery work a crash left (a staged COPY, a purge).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RelationDef } from '../engine/catalog';
import { MARKER_FILE, readMarker, StorageError, Store, verifyMarker, wentBackwards } from '../storage';

type Print = (line: string) => void;

export async function checkDataDir(dir: string, out: Print, err: Print): Promise<number> {
  const where = path.resolve(dir);
  if (!fs.existsSync(where)) {
    err(`sluice: ${where} does not exist`);
    return 1;
  }
  try {
    if (!fs.existsSync(path.join(where, 'CURRENT'))) return refuseWithoutLevelDb(where, err);
    const store = await Store.open<RelationDef>(where);
    try {
      describe(store, where, out);
    } finally {
      await store.close();
    }
    return 0;
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    err(`sluice: ${e.message}`);
    if (e.hint !== undefined) err(`hint: ${e.hint}`);
    return 1;
  }
}

/** Without CURRENT LevelDB would create an empty database: never for a check, which must not change the directory. */
function refuseWithoutLevelDb(where: string, err: Print): number {
  const marker = readMarker(where);
  if (marker === null) {
    err(`sluice: ${where} is not a Sluice data directory (no LevelDB database, no ${MARKER_FILE})`);
    return 1;
  }
  const nothing = { commit: 0n, relations: [] };
  const e = wentBackwards(where, marker, nothing, verifyMarker(marker, nothing));
  err(`sluice: ${e.message}`);
  err(`hint: ${e.hint ?? ''}`);
  return 1;
}

function describe(store: Store<RelationDef>, where: string, out: Print): void {
  const figures = store.durableFigures();
  out(`data directory ${where} is sound: last write ${figures.commit}, ${figures.relations.length} relations`);
  for (const r of figures.relations) {
    const def = store.getDefById(r.id)!.def;
    const epoch = def.kind === 'query' ? `, last epoch ${r.epoch}` : '';
    out(`  ${def.kind} ${r.name} (relation ${r.id}): log ends at entry ${r.lastSeq}${epoch}`);
  }
}
