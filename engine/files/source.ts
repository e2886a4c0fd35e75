// A stream fed by the lines of files matching a glob (options.ts, glob.ts). The directory is polled: each round lists
// the matching files, and reads from each what was added since its position (file-lines.ts), a bounded chunk at a
// time; each chunk's lines are decoded as Kafka records are (engine/kafka/decode.ts: JSON objects, or CSV records
// read by COPY's scanner) and written in ONE atomic storage write with the file's new position (file-position.ts)
// and the bad lines as dead letters. A crash before the write reads the lines again, after it never again. Polling
// rather than fs.watch: watch misses events on some file systems and across restarts, and a poll is cheap.

import { basename } from 'node:path';
import { ConnectorHealth } from '../connectors/health';
import { type FileHandle, open } from 'node:fs/promises';
import type { RelationStore, StreamDef } from '../catalog';
import type { DeadLetter } from '../../storage';
import type { ConnectorLog } from '../connectors/connector';
import { encodeChangeBatch } from '../codecs/change-batch';
import { type BadRecord, type KafkaRecord, MAX_RECORD_BYTES, RecordDecoder } from '../kafka/decode';
import { Sleeper, errorText } from '../kafka/client';
import { PartitionWatermarks } from '../kafka/partition-watermarks';
import { fileSourceOptions, type FileSourceOptions } from './options';
import { type FileConnectorSettings, reallyUnder } from './root';
import { type FileLine, readLines } from './file-lines';
import { currentPosition, decodePosition, encodePosition, type FilePosition, pathOfKey, positionKey } from './file-position';

export interface FileSourceStatus {
  readonly state: 'running' | 'waiting' | 'failed';
  readonly lastError: string | null;
  /** Bytes of the matching files not yet read (as of the last look at them). */
  readonly lag: number;
  /** Lines read since start (good and bad). */
  readonly messages: number;
  readonly deadLetters: number;
  /** The byte offset read of each file, `name:offset`, by name (the first few of them). */
  readonly position: string | null;
}

export interface StartFileSourceOptions {
  readonly store: RelationStore;
  readonly relationId: number;
  readonly def: StreamDef;
  readonly settings: FileConnectorSettings;
  readonly log: ConnectorLog;
  readonly onStreamRows?: (rows: number) => void;
}

export interface FileSource {
  status(): FileSourceStatus;
  stop(): Promise<void>;
}

export function startFileSource(opts: StartFileSourceOptions): FileSource {
  const source = new FileSourceRunner(opts, fileSourceOptions(opts.def, opts.settings));
  source.start();
  return source;
}

/** One chunk of a file's lines, and the position past them. */
interface Chunk {
  readonly path: string;
  readonly lines: readonly FileLine[];
  readonly next: FilePosition;
}

class FileSourceRunner implements FileSource {
  private readonly health: ConnectorHealth;
  private messages = 0;
  private deadLetters = 0;
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly sleeper = new Sleeper();
  /** Durable positions by path. */
  private readonly positions = new Map<string, FilePosition>();
  /** Unread bytes by path, as of each file's last read. */
  private readonly unread = new Map<string, number>();
  /** Matching paths whose symlinks lead outside --file-connector-dir (each logged once). */
  private readonly outside = new Set<string>();
  private readonly decoder: RecordDecoder;
  private readonly watermarks: Promise<PartitionWatermarks | null>;

  constructor(private readonly opts: StartFileSourceOptions, private readonly options: FileSourceOptions) {
    this.health = new ConnectorHealth(opts.log, 'file source', { relation: opts.def.name, path: options.glob.directory },
      'file source cannot read its files; retrying');
    this.decoder = new RecordDecoder(opts.def.columns, options.format, { arrival: true });
    // One "partition": the files are read one after another, and event time is watched across all of them.
    this.watermarks = PartitionWatermarks.open(opts.store, opts.relationId, opts.def, this.decoder.schema, Number.MAX_SAFE_INTEGER);
    this.watermarks.catch(() => undefined);
    for (const [key, value] of Object.entries(opts.store.sourcePositions(opts.relationId))) {
      const path = pathOfKey(key);
      const position = decodePosition(value);
      if (path !== null && position !== null) this.positions.set(path, position);
    }
  }

  status(): FileSourceStatus {
    let lag = 0;
    for (const n of this.unread.values()) lag += n;
    return {
      state: this.health.state, lastError: this.health.lastError, lag, messages: this.messages, deadLetters: this.deadLetters,
      position: positionsText(this.positions),
    };
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.loop;
  }

  /** Never rejects: a file system error makes the source wait and retry; a storage error or on_error = fail stops it. */
  private async run(): Promise<void> {
    while (!this.stopping && !this.health.failed) {
      let progressed = false;
      try {
        const paths = await this.options.glob.list();
        // A file gone (rotated away, deleted) no longer counts in the lag.
        const listed = new Set(paths);
        for (const path of this.unread.keys()) if (!listed.has(path)) this.unread.delete(path);
        for (const path of paths) {
          if (this.stopping || this.health.failed) break;
          if (await this.readFile(path)) progressed = true;
        }
        this.health.running();
      } catch (e) {
        this.health.waiting(errorText(e), this.options.pollMs);
      }
      if (!progressed) await this.sleeper.sleep(this.options.pollMs);
    }
  }

  /** Reads and writes one chunk of `path`'s new lines; false when there were none. */
  private async readFile(path: string): Promise<boolean> {
    if (!(await this.inside(path))) return false;
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (e) {
      // Gone between the listing and now (rotated away): nothing to read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    try {
      const stat = await file.stat();
      if (!stat.isFile()) return false;
      const at = await currentPosition(file, stat.ino, stat.size, this.positions.get(path));
      const { lines, end } = await readLines(file, at.offset, stat.size);
      this.unread.set(path, stat.size - end);
      if (end === at.offset) return false;
      await this.write({ path, lines: this.withoutHeader(at, lines), next: { ...at, offset: end } });
      return true;
    } finally {
      await file.close();
    }
  }

  /** Whether `path` is under --file-connector-dir with its symlinks followed; a file leading outside is not read. */
  private async inside(path: string): Promise<boolean> {
    let under: boolean;
    try {
      under = await reallyUnder(path, this.options.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    if (!under && !this.outside.has(path)) {
      this.outside.add(path);
      this.opts.log.warn('file source skips a file that leads outside --file-connector-dir', { relation: this.opts.def.name, path });
    }
    return under;
  }

  /** The lines that are records: not blank, and not a CSV file's header line. */
  private withoutHeader(at: FilePosition, lines: readonly FileLine[]): FileLine[] {
    return lines.filter((l, i) => l.length > 0 && !(this.options.header && at.offset === 0 && i === 0));
  }

  private async write(chunk: Chunk): Promise<void> {
    const records: KafkaRecord[] = chunk.lines.map((l) => ({ partition: 0, offset: String(l.offset), value: l.tooLong ? null : l.bytes }));
    const arrival = Date.now() * 1000;
    let decoded = this.decoder.decode(records, arrival);
    let bad = decoded.bad.map((b) => (chunk.lines[b.index].tooLong ? tooLong(b, chunk.lines[b.index]) : b));
    let next = chunk.next;
    let failure: BadRecord | null = null;
    if (this.options.onError === 'fail' && bad.length > 0) {
      // The position stops at the bad line, so a restart meets it again.
      failure = bad[0];
      next = { ...next, offset: chunk.lines[failure.index].offset };
      decoded = this.decoder.decode(records.slice(0, failure.index), arrival);
      bad = [];
    }
    const dead = this.options.onError === 'dead_letter' ? bad.map((b) => this.deadLetter(chunk.path, b)) : [];
    const watermarks = await this.watermarks;
    let watermark: number | undefined;
    if (watermarks !== null && decoded.data.numRows > 0) watermark = watermarks.after(decoded.data, () => 0, [0]);
    const bytes = decoded.data.numRows > 0
      ? encodeChangeBatch({ data: decoded.data, diffs: null, ...(watermark === undefined ? {} : { watermark }) })
      : null;
    try {
      await this.opts.store.appendSourceBatch(this.opts.relationId, bytes, { [positionKey(chunk.path)]: encodePosition(next) }, dead);
    } catch (e) {
      this.health.fail(`file source of ${this.opts.def.name} stopped: ${errorText(e)}`);
      return;
    }
    this.positions.set(chunk.path, next);
    if (bytes !== null) {
      watermarks?.reached(watermark);
      this.opts.onStreamRows?.(decoded.data.numRows);
    }
    this.messages += failure === null ? records.length : failure.index;
    this.deadLetters += dead.length;
    if (failure !== null) {
      this.health.fail(`bad line at byte ${failure.offset} of ${chunk.path} (${failure.reason}): ${failure.error}`);
    }
  }

  private deadLetter(path: string, b: BadRecord): DeadLetter {
    return { source: this.opts.def.name, partition: null, offset: `${path}:${b.offset}`, raw: b.raw, reason: b.reason, error: b.error, at: new Date() };
  }

}

/** A line too long to be a record, which the decoder saw as a record without a value: said as it is. */
function tooLong(b: BadRecord, line: FileLine): BadRecord {
  return { ...b, raw: line.bytes, reason: 'size', error: `the line is ${line.length} bytes, over the limit of ${MAX_RECORD_BYTES}` };
}

/** Positions shown: enough to see where reading stands without a line as long as the directory. */
const POSITIONS_SHOWN = 5;

function positionsText(positions: ReadonlyMap<string, FilePosition>): string | null {
  if (positions.size === 0) return null;
  const all = [...positions].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([path, p]) => `${basename(path)}:${p.offset}`);
  const more = all.length - POSITIONS_SHOWN;
  return all.slice(0, POSITIONS_SHOWN).join(',') + (more > 0 ? ` and ${more} more` : '');
}
