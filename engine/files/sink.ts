// A sink writing a relation's changes (a continuous query's or a stream's log) into files of a directory. Changes
// are gathered in memory (sink-format.ts) until the file holds roll_bytes or its first change is roll_seconds old;
// then it is written as NAME.tmp, fsynced, renamed into place and the directory fsynced (sink-files.ts), and only
// then is the sink's position (the last log entry in the file) recorded durably as an epoch of the sink. A file's
// name carries the range of log entries it holds: <sink>-<first>-<last>.<format>. After a crash, a file whose range
// starts just after the recorded position is complete (it was renamed into place), so the position moves past it
// instead of writing its changes again; a .tmp left behind is removed. So each change is in exactly one file.

import type { RelationStore, SinkDef } from '../catalog';
import type { LogEntry } from '../../storage';
import type { ConnectorLog } from '../connectors/connector';
import { ConnectorHealth } from '../connectors/health';
import { decodeChangeBatch } from '../codecs/change-batch';
import { Sleeper, errorText } from '../kafka/client';
import type { Schema } from '../types';
import { fileSinkOptions, type FileSinkOptions } from './options';
import type { FileConnectorSettings } from './root';
import { type FileContents, fileContents } from './sink-format';
import { SinkFiles } from './sink-files';

export interface FileSinkStatus {
  readonly state: 'running' | 'waiting' | 'failed';
  readonly lastError: string | null;
  /** Log entries of the relation shipped that are in no complete file yet. */
  readonly lag: number;
  /** Changes written into complete files since start. */
  readonly messages: number;
  /** The last log entry of the relation shipped that is in a complete file. */
  readonly position: string;
}

export interface StartFileSinkOptions {
  readonly store: RelationStore;
  readonly sinkId: number;
  readonly def: SinkDef;
  readonly fromRelationId: number;
  readonly fromSchema: Schema;
  readonly settings: FileConnectorSettings;
  readonly log: ConnectorLog;
  /**
   * Called once a file holding the entries up to `last` is in place, before that position is recorded; a throw stops
   * the sink there (tests use it to crash exactly between the two).
   */
  readonly afterFile?: (last: bigint) => void | Promise<void>;
}

export interface FileSink {
  status(): FileSinkStatus;
  stop(): Promise<void>;
}

const ENTRIES_PER_READ = 100;
const RETRY_MS = 1000;

export function startFileSink(opts: StartFileSinkOptions): FileSink {
  const sink = new FileSinkRunner(opts, fileSinkOptions(opts.def, opts.settings));
  sink.start();
  return sink;
}

class FileSinkRunner implements FileSink {
  private readonly health: ConnectorHealth;
  /** The last log entry in a complete file, recorded durably. */
  private position = 0n;
  /** The last log entry read into `contents`. */
  private read = 0n;
  private contents: FileContents;
  private firstChangeAtMs: number | null = null;
  private messages = 0;
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly appended = new Sleeper();
  private readonly files: SinkFiles;
  private unsubscribe: () => void = () => undefined;

  constructor(private readonly opts: StartFileSinkOptions, private readonly options: FileSinkOptions) {
    this.health = new ConnectorHealth(opts.log, 'file sink', { sink: opts.def.name }, 'file sink cannot write its files; retrying');
    this.files = new SinkFiles(options.directory, options.root, opts.def.name, options.format);
    this.contents = this.freshContents();
  }

  status(): FileSinkStatus {
    const end = this.opts.store.lastSeq(this.opts.fromRelationId);
    return {
      state: this.health.state, lastError: this.health.lastError, lag: end > this.position ? Number(end - this.position) : 0,
      messages: this.messages, position: String(this.position),
    };
  }

  start(): void {
    this.unsubscribe = this.opts.store.onLogAppend((id) => {
      if (id === this.opts.fromRelationId) this.appended.wake();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.appended.wake();
    await this.loop;
    this.unsubscribe();
  }

  /** Never rejects: storage errors (Stop) fail the sink, file system errors make it wait and retry. */
  private async run(): Promise<void> {
    try {
      await this.recoverPosition();
    } catch (e) {
      return this.fail(e);
    }
    while (!this.stopping && !this.health.failed) {
      try {
        await this.step();
        this.health.running();
      } catch (e) {
        if (e instanceof Stop) return this.fail(e.cause);
        this.health.waiting(errorText(e), RETRY_MS);
        await this.appended.sleep(RETRY_MS);
      }
    }
  }

  /** The recorded position, moved past a file completed just before a crash; leftover .tmp files removed. */
  private async recoverPosition(): Promise<void> {
    const loaded = await this.opts.store.loadQuery(this.opts.sinkId);
    const floor = this.opts.store.firstSeq(this.opts.fromRelationId) - 1n;
    const recorded = loaded.offsets[this.opts.fromRelationId];
    // A new sink writes the relation's whole retained log, so the files hold its full contents.
    this.position = recorded === undefined || recorded < floor ? floor : recorded;
    await this.files.removeTemporary();
    for (let last = await this.files.completedAfter(this.position); last !== null; last = await this.files.completedAfter(this.position)) {
      await this.record(last);
    }
    this.read = this.position;
  }

  /** Reads what came, closes the file when it is due, or waits for changes or for the file's time to be up. */
  private async step(): Promise<void> {
    // A file due by size whose write failed is written again before anything else is read into it.
    if (this.contents.bytes >= this.options.rollBytes) return this.roll();
    const end = this.opts.store.lastSeq(this.opts.fromRelationId);
    if (this.read < end) await this.readEntries(end);
    else if (this.firstChangeAtMs === null) {
      // Entries with no change (a watermark moving): nothing to write, but the position passes them.
      if (this.position < this.read) await this.record(this.read);
      await this.appended.sleep(1000);
    } else {
      await this.appended.sleep(Math.max(1, this.firstChangeAtMs + this.options.rollMs - Date.now()));
    }
    if (this.firstChangeAtMs !== null && Date.now() - this.firstChangeAtMs >= this.options.rollMs) await this.roll();
  }

  private async readEntries(end: bigint): Promise<void> {
    const to = this.read + BigInt(ENTRIES_PER_READ) < end ? this.read + BigInt(ENTRIES_PER_READ) : end;
    const entries: LogEntry[] = [];
    try {
      for await (const e of this.opts.store.readLog(this.opts.fromRelationId, this.read, to)) entries.push(e);
    } catch (e) {
      throw new Stop(e);
    }
    if (entries.length === 0) throw new Stop(new Error(`entries after ${this.read} of the log it ships are gone (trimmed?)`));
    for (let i = 0; i < entries.length; i++) {
      const batch = decodeChangeBatch(entries[i].bytes);
      if (batch.data.numRows > 0 && this.firstChangeAtMs === null) this.firstChangeAtMs = Date.now();
      this.contents.add(batch);
      this.read = entries[i].seq;
      // A file ends between entries, never inside one (an entry may come in parts of the same seq).
      const entryEnds = i + 1 === entries.length || entries[i + 1].seq !== entries[i].seq;
      if (entryEnds && this.contents.bytes >= this.options.rollBytes) await this.roll();
    }
  }

  /** Writes the file of the changes gathered, then records the position past them. */
  private async roll(): Promise<void> {
    if (this.contents.rows > 0) {
      await this.files.write(this.position + 1n, this.read, this.contents.finish());
      try {
        await this.opts.afterFile?.(this.read);
      } catch (e) {
        throw new Stop(e);
      }
    }
    this.messages += this.contents.rows;
    await this.record(this.read);
    this.contents = this.freshContents();
    this.firstChangeAtMs = null;
  }

  private async record(last: bigint): Promise<void> {
    try {
      await this.opts.store.commitEpoch({
        queryId: this.opts.sinkId, epoch: Number(last), stateChanges: new Map(), resultChanges: null,
        resultRows: null, offsets: { [this.opts.fromRelationId]: last }, checkpoint: { durationMs: 0 },
      });
    } catch (e) {
      throw new Stop(e);
    }
    this.position = last;
  }

  private freshContents(): FileContents {
    return fileContents(this.options.format, this.opts.fromSchema, this.opts.def.name);
  }

  private fail(e: unknown): void {
    this.health.fail(`file sink ${this.opts.def.name} stopped: ${errorText(e)}`);
  }

}

/** A failure that stops the sink: of the store (not of the files), or afterFile's. */
class Stop extends Error {
  constructor(override readonly cause: unknown) {
    super(errorText(cause));
  }
}
