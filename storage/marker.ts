// The marker: a small file next to LevelDB's (DIR/sluice.marker) recording what the data directory held at a recent
// moment: the number of the last synced LevelDB write (group-commit.ts), and every relation with the end of its log
// and, for a continuous query, its last committed epoch. LevelDB loses whole files silently (a deleted or emptied
// write-ahead log, a truncated MANIFEST, every file gone) and then opens as an older or an empty database; the marker
// is not one of its files, so it survives, and at open every claim it makes must still hold (verifyMarker).
//
// The marker may lag LevelDB, never lead it: it is written after the writes it describes are durable, from the
// in-memory figures that move only once they are, and it is replaced atomically (write a temporary file, fsync,
// rename). It is written at most once per MIN_INTERVAL_MS, never on the commit path, and at close. A DROP is the one
// claim that shrinks: the marker without the dropped relations is written BEFORE the drop, so that no marker names
// a relation LevelDB no longer holds (beforeDrop).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError } from './errors';

export const MARKER_FILE = 'sluice.marker';
const MARKER_FORMAT = 1;
/** Bounds the marker's cost under load to a few small fsyncs a second; also how far it may lag. */
const MIN_INTERVAL_MS = 100;

export interface RelationFigures {
  readonly id: number;
  readonly name: string;
  /** The last sequence number of its log (0: empty). */
  readonly lastSeq: bigint;
  /** A continuous query's last committed epoch (0: none, or not a query). */
  readonly epoch: number;
}

/** What a data directory holds, as far as the marker tracks it. */
export interface DurableFigures {
  readonly commit: bigint;
  readonly relations: readonly RelationFigures[];
}

interface MarkerJson {
  readonly format: number;
  readonly commit: string;
  readonly relations: readonly { id: number; name: string; lastSeq: string; epoch: number }[];
}

export function markerPath(dir: string): string {
  return path.join(dir, MARKER_FILE);
}

/** The marker of a data directory, or null when it has none (a new directory, or one older than the marker). */
export function readMarker(dir: string): DurableFigures | null {
  let text: string;
  try {
    text = fs.readFileSync(markerPath(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError('io', `cannot read ${markerPath(dir)}`, e);
  }
  try {
    const json = JSON.parse(text) as MarkerJson;
    if (json.format !== MARKER_FORMAT) throw new Error(`unknown marker format ${json.format}`);
    return {
      commit: BigInt(json.commit),
      relations: json.relations.map((r) => ({ id: r.id, name: r.name, lastSeq: BigInt(r.lastSeq), epoch: r.epoch })),
    };
  } catch (e) {
    throw new StorageError('corrupt', `${markerPath(dir)} is unreadable`, e,
      `It is rewritten from LevelDB's contents when the server starts without it: delete it only if LevelDB's files are known to be whole.`);
  }
}

/** Every claim of the marker that the data directory no longer backs; empty when it did not go backwards. */
export function verifyMarker(marker: DurableFigures, found: DurableFigures): string[] {
  const problems: string[] = [];
  if (found.commit < marker.commit) problems.push(`writes ${found.commit + 1n} to ${marker.commit}`);
  const byId = new Map(found.relations.map((r) => [r.id, r]));
  for (const claimed of marker.relations) {
    const held = byId.get(claimed.id);
    const what = `"${claimed.name}" (relation ${claimed.id})`;
    if (held === undefined) {
      problems.push(`${what} is missing from the catalog`);
      continue;
    }
    if (held.lastSeq < claimed.lastSeq) {
      problems.push(`${what}: its log ends at entry ${held.lastSeq}, sluice.marker recorded ${claimed.lastSeq}`);
    }
    if (held.epoch < claimed.epoch) {
      problems.push(`${what}: its last committed epoch is ${held.epoch}, sluice.marker recorded ${claimed.epoch}`);
    }
  }
  return problems;
}

/**
 * The StorageError that refuses a data directory that went backwards (the marker, if any, says how far). Deleting
 * the marker lets it start on what LevelDB holds, unless a log has holes (`holes`), which no start can accept.
 */
export function wentBackwards(
  dir: string, marker: DurableFigures | null, found: DurableFigures, problems: readonly string[], holes = false,
): StorageError {
  const escape = marker === null || holes ? '' : ` To start anyway on what LevelDB still holds, delete ${markerPath(dir)}.`;
  const recorded = marker === null ? `no ${MARKER_FILE}` : `last committed write ${marker.commit} recorded in ${MARKER_FILE}`;
  return new StorageError('corrupt', `data directory ${dir} went backwards: ${recorded}, LevelDB holds write ` +
    `${found.commit}; missing: ${problems.join('; ')}`,
  undefined, `LevelDB's files lost committed data (a deleted or truncated write-ahead log or MANIFEST, or deleted files). ` +
    `Restore the data directory from a backup.${escape}`);
}

/** Keeps the marker following the durable figures, at a bounded rate, off the commit path. */
export class MarkerKeeper {
  /** Marker writes run one after another, each taking its figures when it starts: a later one never loses to an earlier. */
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** A write was asked for since the pending timed write took its figures. */
  private wanted = false;
  private lastWriteAt = 0;
  private stopped = false;
  /** Relations being dropped: no marker names them from the moment the drop starts (beforeDrop). */
  private readonly dropping = new Set<number>();

  constructor(
    private readonly dir: string,
    private readonly figures: () => DurableFigures,
    private readonly log: (message: string) => void,
  ) {}

  /** Asks for a marker of the figures as they will be when it is written; cheap, called after every write. */
  request(): void {
    this.wanted = true;
    if (this.stopped || this.timer !== null) return;
    const wait = Math.max(0, this.lastWriteAt + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.wanted = false;
      void this.write().catch((e: unknown) => {
        // A marker that could not be written only lags further: the next write tries again, and close() throws.
        this.log(`storage: ${(e as Error).message}`);
      }).finally(() => {
        this.timer = null;
        if (this.wanted) this.request();
      });
    }, wait);
    this.timer.unref();
  }

  /**
   * Before a DROP is submitted: writes, and waits for, a marker without the relations it drops, and leaves them
   * out of every later one, so that a crash after the drop is durable finds no marker that names them.
   */
  beforeDrop(ids: readonly number[]): Promise<void> {
    for (const id of ids) this.dropping.add(id);
    return this.write();
  }

  /** After the drop is durable (or failed, which leaves the store unusable): the catalog no longer lists them. */
  dropped(ids: readonly number[]): void {
    for (const id of ids) this.dropping.delete(id);
  }

  /** The last marker, of the figures at close; no marker is written after it. */
  close(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    return this.write();
  }

  private claims(): DurableFigures {
    const now = this.figures();
    if (this.dropping.size === 0) return now;
    return { commit: now.commit, relations: now.relations.filter((r) => !this.dropping.has(r.id)) };
  }

  private write(): Promise<void> {
    const done = this.chain.then(() => writeMarkerFile(this.dir, this.claims())).catch((e: unknown) => {
      // A DROP waits for this write and fails with it: as a storage error, which clients see with its SQLSTATE.
      throw new StorageError('io', `cannot write ${markerPath(this.dir)}`, e);
    }).finally(() => {
      this.lastWriteAt = Date.now();
    });
    this.chain = done.catch(() => undefined);
    return done;
  }
}

async function writeMarkerFile(dir: string, figures: DurableFigures): Promise<void> {
  const json: MarkerJson = {
    format: MARKER_FORMAT,
    commit: figures.commit.toString(),
    relations: figures.relations.map((r) => ({ id: r.id, name: r.name, lastSeq: r.lastSeq.toString(), epoch: r.epoch })),
  };
  const temp = `${markerPath(dir)}.tmp`;
  const file = await fs.promises.open(temp, 'w');
  try {
    await file.writeFile(JSON.stringify(json) + '\n');
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.promises.rename(temp, markerPath(dir));
}
