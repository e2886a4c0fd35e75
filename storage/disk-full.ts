// A full disk is not damage: the store refuses writes while it lasts and takes them again once there is room,
// without a restart (docs/durability.md "Disk full").
//
// LevelDB cannot simply be written to again. A write whose log record did not fit leaves a torn record at the end of
// its write-ahead log, with the writer's block offset past it, and a flush or compaction that did not fit latches a
// background error that fails every later write until the database is reopened. So the store keeps reading through
// the old handle while the disk is full, and when the file system shows room again it closes and reopens LevelDB,
// whose recovery drops the torn tail (a write that was never acknowledged) and keeps everything acknowledged.

import * as fs from 'node:fs';
import { StorageError } from './errors';

/**
 * Room the file system must show before the store reopens: opening replays the write-ahead log into a new table
 * file and writes a new log and manifest, up to LevelDB's 4 MB write buffer, so less would likely fail again.
 */
export const ROOM_TO_REOPEN_BYTES = 8 << 20;

/** Backoff between attempts to reopen: quick at first (an operator just freed space), then at most every 2 s. */
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 2_000;

/** True when an error, or one of its causes, says the file system is out of space. */
export function isOutOfSpace(e: unknown): boolean {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    if ((cur as { code?: unknown }).code === 'ENOSPC' || /No space left on device/i.test(cur.message)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** PostgreSQL's wording for the same condition ("could not extend file ...: No space left on device"). */
export function diskFullError(dir: string): StorageError {
  return new StorageError('disk_full', `could not write to the data directory ${dir}: No space left on device`,
    undefined, 'Check free disk space. Writes resume by themselves once there is room; acknowledged rows are kept.');
}

/** Whether the file system holding `dir` shows at least `bytes` free to an unprivileged writer. */
export async function hasRoom(dir: string, bytes = ROOM_TO_REOPEN_BYTES): Promise<boolean> {
  try {
    const s = await fs.promises.statfs(dir);
    return s.bavail * s.bsize >= bytes;
  } catch {
    return false;
  }
}

/**
 * Calls `attempt` with growing pauses until it reports success or `stop()` is called. One loop at a time: a start()
 * while it waits brings the next attempt forward to FIRST_RETRY_MS after the last one, so a write refused just after
 * an operator freed space does not wait out a long pause, and refused writes never retry faster than that.
 */
export class RetryLoop {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private delay = FIRST_RETRY_MS;
  private lastAttempt = 0;

  constructor(private readonly attempt: () => Promise<boolean>, private readonly onError: (e: unknown) => void) {}

  start(): void {
    if (this.stopped) return;
    if (!this.running) {
      this.running = true;
      this.delay = FIRST_RETRY_MS;
      this.next(FIRST_RETRY_MS);
    } else if (this.timer !== null) {
      clearTimeout(this.timer);
      this.next(Math.max(0, this.lastAttempt + FIRST_RETRY_MS - Date.now()));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private next(wait: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastAttempt = Date.now();
      void this.attempt().catch((e: unknown) => {
        this.onError(e);
        return false;
      }).then((done) => {
        if (done || this.stopped) {
          this.running = false;
          return;
        }
        this.delay = Math.min(this.delay * 2, LAST_RETRY_MS);
        this.next(this.delay);
      });
    }, wait);
    // A pending retry must not keep a process that is otherwise done alive.
    this.timer.unref();
  }
}
