// A small tmpfs for tests of a full disk. Mounting needs root (tests run as root here and in CI); a mount that fails
// throws, so the test fails rather than skips.

import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly path: string;
  unmount(): void;
}

export function mountTmpfs(size: string): Tmpfs {
  const path = mkdtempSync(join(tmpdir(), 'sluice-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]);
  return {
    path,
    unmount: () => {
      execFileSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Writes a file in `dir` until the file system refuses with ENOSPC; returns its path. */
export function fillDisk(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20, 1);
  try {
    for (;;) {
      let n: number;
      try {
        n = writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return file;
        throw e;
      }
      // A short write means the last pages are gone; the next write raises ENOSPC.
      if (n === 0) return file;
    }
  } finally {
    closeSync(fd);
  }
}
