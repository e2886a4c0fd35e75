// The files of one file sink in its directory: <sink>-<first>-<last>.<format>, where first..last is the range of log
// entries (sequence numbers, zero-padded so names sort in order) whose changes the file holds. A file is written as
// <name>.tmp, fsynced, renamed into place and the directory fsynced: a name without .tmp is always a complete file.

import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SinkFormat } from './options';
import { reallyUnder } from './root';

const SEQ_DIGITS = 20;

export class SinkFiles {
  private readonly extension: string;
  private readonly prefix: string;

  constructor(
    private readonly directory: string, private readonly root: string, sinkName: string, format: SinkFormat,
  ) {
    this.extension = format === 'json' ? 'jsonl' : format;
    // A quoted sink name may hold '/' or any other character: encoded, it stays one file name.
    this.prefix = encodeURIComponent(sinkName);
  }

  nameOf(first: bigint, last: bigint): string {
    return `${this.prefix}-${pad(first)}-${pad(last)}.${this.extension}`;
  }

  /** Writes a complete file of the entries first..last (replacing one of the same name, the same changes). */
  async write(first: bigint, last: bigint, contents: Uint8Array): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    if (!(await reallyUnder(this.directory, this.root))) {
      throw new Error(`the directory ${this.directory} leads outside --file-connector-dir ${this.root}`);
    }
    const name = join(this.directory, this.nameOf(first, last));
    const tmp = `${name}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(contents);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, name);
    await this.syncDirectory();
  }

  /** The last entry of the complete file that starts just after `position`, if there is one. */
  async completedAfter(position: bigint): Promise<bigint | null> {
    const prefix = `${this.prefix}-${pad(position + 1n)}-`;
    const suffix = `.${this.extension}`;
    for (const n of await this.names()) {
      if (!n.startsWith(prefix) || !n.endsWith(suffix)) continue;
      const last = n.slice(prefix.length, -suffix.length);
      if (/^\d+$/.test(last)) return BigInt(last);
    }
    return null;
  }

  /** Removes the sink's .tmp files, left by a crash before they were complete. */
  async removeTemporary(): Promise<void> {
    for (const n of await this.names()) {
      if (n.startsWith(`${this.prefix}-`) && n.endsWith('.tmp')) await unlink(join(this.directory, n)).catch(() => undefined);
    }
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.directory);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  private async syncDirectory(): Promise<void> {
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function pad(seq: bigint): string {
  return seq.toString().padStart(SEQ_DIGITS, '0');
}
