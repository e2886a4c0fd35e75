// The WITH (...) options of file sources (streams reading files that match a glob) and file sinks (directories of
// rolled files), checked at CREATE time and again when a source or sink starts.

import type { SinkDef, StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import { parseValue } from '../text';
import { T, type Interval } from '../types';
import { intervalMicros } from '../values/interval';
import type { RecordFormat } from '../kafka/decode';
import type { OnError } from '../kafka/options';
import { FileGlob } from './glob';
import { allowedPath, enabledRoot, type FileConnectorSettings } from './root';

export type SinkFormat = 'csv' | 'json' | 'arrow';

export interface FileSourceOptions {
  /** --file-connector-dir: every file read must be under it, symlinks followed. */
  readonly root: string;
  readonly glob: FileGlob;
  readonly format: RecordFormat;
  /** CSV only: each file's first line is a header, skipped (fields go to columns by position). */
  readonly header: boolean;
  readonly onError: OnError;
  /** How often the directory and the files are looked at again for new files and lines. */
  readonly pollMs: number;
}

export interface FileSinkOptions {
  /** --file-connector-dir: the directory written must be under it, symlinks followed. */
  readonly root: string;
  /** The directory the files are written into. */
  readonly directory: string;
  readonly format: SinkFormat;
  /** A file is closed once it holds at least this many bytes ... */
  readonly rollBytes: number;
  /** ... or once its first change is this old, whichever comes first. */
  readonly rollMs: number;
}

const SOURCE_KEYS = new Set(['connector', 'path', 'format', 'header', 'on_error', 'poll_interval', 'retention']);
const SINK_KEYS = new Set(['connector', 'path', 'format', 'roll_bytes', 'roll_seconds']);
const DEFAULT_POLL = '1 second';
/** New lines are seen within a minute at worst, and a poll never spins. */
const MIN_POLL_MS = 10;
const MAX_POLL_MS = 60_000;
const DEFAULT_ROLL_BYTES = 64 << 20;
/** A file is built in memory before it is written: its size is bounded. */
const MAX_ROLL_BYTES = 256 << 20;
const DEFAULT_ROLL_SECONDS = 60;

function invalid(message: string, hint?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, message, { hint });
}

function unknownKeys(o: Readonly<Record<string, string>>, allowed: ReadonlySet<string>, what: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw invalid(`unknown option ${k} for ${what}`, `Known options: ${[...allowed].join(', ')}.`);
  }
}

function oneOf<V extends string>(o: Readonly<Record<string, string>>, key: string, allowed: readonly V[], dflt: V): V {
  const v = (o[key] ?? dflt).trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw invalid(`invalid value for option ${key}: "${o[key]}"`, `Use one of: ${allowed.join(', ')}.`);
  }
  return v as V;
}

function requiredPath(o: Readonly<Record<string, string>>, what: string, root: string): string {
  const v = o.path?.trim();
  if (!v) throw invalid(`${what} needs the option path`, 'Add path = \'/some/dir/*.csv\' to its WITH (...) clause.');
  if (!v.startsWith('/')) throw invalid(`option path must be an absolute path, not "${v}"`);
  return allowedPath(v, root);
}

function positiveInteger(text: string, key: string, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(n > 0) || n > max) throw invalid(`invalid value for option ${key}: "${text}"`, `Write a whole number from 1 to ${max}.`);
  return n;
}

function intervalMs(text: string, key: string): number {
  let micros: number;
  try {
    micros = intervalMicros(parseValue(text, T.interval) as Interval, key);
  } catch {
    micros = NaN;
  }
  if (!(micros > 0)) throw invalid(`invalid value for option ${key}: "${text}"`, 'Write a positive interval, e.g. \'1 second\'.');
  return Math.max(1, Math.round(micros / 1000));
}

function pollMs(text: string): number {
  const ms = intervalMs(text, 'poll_interval');
  if (ms < MIN_POLL_MS || ms > MAX_POLL_MS) {
    throw invalid(`invalid value for option poll_interval: "${text}"`, 'Write an interval from 10 milliseconds to 1 minute.');
  }
  return ms;
}

/** The options of a stream with connector = 'file'. */
export function fileSourceOptions(def: StreamDef | TableDef, settings: FileConnectorSettings): FileSourceOptions {
  const what = `${def.kind} "${def.name}"`;
  if (def.kind !== 'stream') {
    throw new SqlError(SQLSTATE.feature_not_supported, 'connector = \'file\' feeds streams only', { hint: 'Use CREATE STREAM.' });
  }
  const root = enabledRoot(settings);
  const o = def.options;
  unknownKeys(o, SOURCE_KEYS, what);
  const format = oneOf(o, 'format', ['csv', 'json'] as const, 'json');
  const header = oneOf(o, 'header', ['true', 'false'] as const, 'false') === 'true';
  if (header && format !== 'csv') throw invalid('option header needs format = \'csv\'');
  return {
    root,
    glob: FileGlob.parse(requiredPath(o, what, root)),
    format,
    header,
    onError: oneOf(o, 'on_error', ['dead_letter', 'skip', 'fail'] as const, 'dead_letter'),
    pollMs: pollMs(o.poll_interval ?? DEFAULT_POLL),
  };
}

/** The options of a sink with connector = 'file'. */
export function fileSinkOptions(def: SinkDef, settings: FileConnectorSettings): FileSinkOptions {
  const what = `sink "${def.name}"`;
  const root = enabledRoot(settings);
  const o = def.options;
  unknownKeys(o, SINK_KEYS, what);
  return {
    root,
    directory: requiredPath(o, what, root),
    format: oneOf(o, 'format', ['csv', 'json', 'arrow'] as const, 'json'),
    rollBytes: o.roll_bytes === undefined ? DEFAULT_ROLL_BYTES : positiveInteger(o.roll_bytes, 'roll_bytes', MAX_ROLL_BYTES),
    rollMs: 1000 * (o.roll_seconds === undefined ? DEFAULT_ROLL_SECONDS : positiveInteger(o.roll_seconds, 'roll_seconds', 86_400)),
  };
}
