// Opening the LevelDB of a data directory, and refusing to when that would be wrong: another server holds it, it
// is damaged, or it would silently start empty.
//
// LevelDB replays its write-ahead log on open and, by default, skips a record that fails its checksum and keeps
// going; the later records are applied. Each skipped record is one lost write, possibly an epoch commit whose
// successors did not lose theirs, and LevelDB then deletes the damaged log. The only trace is a "dropping N bytes"
// line in its info log (DIR/LOG). So after open we read that log, and on such a line we leave a marker file behind
// and refuse to start, on this and every later attempt, until an operator decides. A torn record at the very end
// of the log (a crash in the middle of a write) is not reported by LevelDB and loses only an unacknowledged write.
//
// Blocks are stored without Snappy compression. Nearly everything written is Arrow IPC (typed arrays of numbers,
// strings), which Snappy shrinks little, and it compresses every block again at each memtable flush and compaction:
// for Nexmark q0 (300 K events in-process) Snappy saved 13 % of the disk (61 against 70 MB) for 40 % of the process's
// CPU (1.56 against 0.93 s). LevelDB marks compression per block, so directories written with Snappy still open.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { StorageError, levelErrorCodes } from './errors';
import type { Db } from './group-commit';

/** Left in the data directory when damage was found; its presence keeps the server from starting. */
export const DAMAGE_MARKER = 'SLUICE-DAMAGED';

export async function openLevel(dir: string): Promise<Db> {
  const where = path.resolve(dir);
  refuseIfMarkedDamaged(where);
  refuseIfHeadless(where);
  const db = new ClassicLevel<Uint8Array, Uint8Array>(where, { keyEncoding: 'view', valueEncoding: 'view' });
  try {
    await db.open({ createIfMissing: true, errorIfExists: false, compression: false });
  } catch (e) {
    throw openError(where, e);
  }
  const dropped = droppedLogRecords(where);
  if (dropped.length > 0) {
    await db.close().catch(() => undefined);
    const report = `LevelDB dropped damaged records of its write-ahead log while opening ${where}:\n` +
      dropped.join('\n') + '\n';
    fs.writeFileSync(path.join(where, DAMAGE_MARKER), report);
    throw damaged(where, dropped.join('; '));
  }
  return db;
}

export function openError(where: string, e: unknown): StorageError {
  const codes = levelErrorCodes(e);
  if (codes.includes('LEVEL_LOCKED')) {
    return new StorageError('locked', `data directory ${where} is in use by another Sluice server`, undefined,
      'Stop the other server, or start this one with a different --data-dir.');
  }
  if (codes.includes('LEVEL_CORRUPTION')) {
    return new StorageError('corrupt', `data directory ${where} is corrupted`, e,
      'Restore the data directory from a backup; Sluice will not start on damaged data.');
  }
  return new StorageError('io', `cannot open data directory ${where}`, e);
}

function damaged(where: string, what: string): StorageError {
  return new StorageError('corrupt', `data directory ${where} is damaged: ${what}`, undefined,
    `Restore it from a backup. To accept possibly inconsistent state instead, delete ${path.join(where, DAMAGE_MARKER)}.`);
}

function refuseIfMarkedDamaged(where: string): void {
  let report: string;
  try {
    report = fs.readFileSync(path.join(where, DAMAGE_MARKER), 'utf8');
  } catch {
    return;
  }
  throw damaged(where, report.trim().split('\n').slice(1).join('; ') || 'marked damaged');
}

/**
 * Table or log files without CURRENT (the pointer to the manifest) mean a damaged database; LevelDB would create a
 * new, empty one next to them, and Sluice would start with nothing.
 */
function refuseIfHeadless(where: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(where);
  } catch {
    return; // does not exist yet: LevelDB creates it
  }
  const levelFiles = names.filter((n) => /^(\d+\.(ldb|sst|log)|MANIFEST-\d+)$/.test(n));
  if (levelFiles.length > 0 && !names.includes('CURRENT')) {
    throw damaged(where, `LevelDB files (${levelFiles.slice(0, 3).join(', ')}) but no CURRENT file`);
  }
}

/** Lines of LevelDB's info log written by this open that report skipped write-ahead log records. */
function droppedLogRecords(where: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(where, 'LOG'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => /dropping \d+ bytes/.test(line)).map((l) => l.trim());
}
