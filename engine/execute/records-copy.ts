// COPY FROM STDIN one record per line, each decoded alone as a Kafka message is (engine/kafka/decode.ts, over
// engine/ingest's scanners and row validator): JSON lines (FORMAT json: fields by name, unknown ones ignored, missing
// ones NULL) and CSV lines. Every COPY into a stream fed over HTTP (connector = 'http', which is what
// POST /api/v1/streams/NAME/rows runs) comes here, and so does FORMAT json into any stream.
//
// A bad record follows the stream's on_error: 'fail' fails the whole COPY with 22P02 (a stream without a connector
// always fails, as COPY does), 'skip' leaves it out, 'dead_letter' (the default of an http stream) leaves it out and
// keeps its raw bytes and reason in sluice.dead_letters. Good rows are staged as they come (runtime/staged-write.ts)
// and made visible together at the end, so the COPY is all or nothing and holds about one chunk of rows in memory.
// Its dead letters are written right after the rows are durable, before the COPY is acknowledged. Lines wait to be
// decoded and staged together, up to STAGE_RECORDS or STAGE_BYTES, so a log entry has few big parts, not one per
// network chunk.

import { SqlError, SQLSTATE } from '../errors';
import type { StreamDef } from '../catalog';
import type { DeadLetter } from '../../storage';
import { type BadRecord, type KafkaRecord, MAX_RECORD_BYTES, RecordDecoder } from '../kafka/decode';
import type { CopyFromInput, Execution, Of } from './execution';
import type { StagedStreamWrite } from '../runtime/staged-write';

type OnError = 'fail' | 'skip' | 'dead_letter';

/** Dead letters are held until the end (the COPY may still fail); past this many bytes of them the COPY fails. */
const DEAD_LETTER_BUDGET_BYTES = 16 * 1024 * 1024;
/** Of a record too long to be decoded, this much is kept as its dead letter's raw bytes. */
const OVERSIZED_RAW_BYTES = 1024;

const LF = 0x0a;
const CR = 0x0d;

export function recordsCopy(s: Of<'copy_from'>, def: StreamDef, x: Execution): CopyFromInput {
  if (s.format === 'text') {
    throw new SqlError(SQLSTATE.feature_not_supported, `COPY into stream "${def.name}" takes FORMAT csv or json`, {
      hint: 'A stream fed over HTTP reads one CSV or JSON record per line.',
    });
  }
  if (x.transaction !== null) {
    throw new SqlError(SQLSTATE.active_sql_transaction, `COPY ${def.name} (FORMAT ${s.format}) cannot run inside a transaction block`);
  }
  if (s.columns.length !== def.columns.length || s.columns.some((c, i) => c !== i)) {
    throw new SqlError(SQLSTATE.feature_not_supported, `COPY ${def.name} (FORMAT ${s.format}) reads every column of the stream`, {
      hint: 'Leave out the column list: JSON fields are matched by name, CSV fields go in column order.',
    });
  }
  const onError: OnError = def.options.connector === 'http' ? (def.options.on_error as OnError | undefined) ?? 'dead_letter' : 'fail';
  const copy = new RecordsCopy(def, s.format, s.header && s.format === 'csv', onError, x);
  return {
    kind: 'copy_in',
    format: s.format,
    columnCount: def.columns.length,
    write: (chunk) => copy.write(chunk),
    end: () => copy.end(),
    abort: () => void copy.discard(),
    rejected: () => copy.rejected,
  };
}

/** Records are decoded and staged together once this many are waiting (or STAGE_BYTES of them), as one chunk. */
const STAGE_RECORDS = 4 * 1024;
const STAGE_BYTES = 1024 * 1024;

class RecordsCopy {
  readonly rejected = { deadLettered: 0, skipped: 0 };
  private readonly lines: LineRecords;
  private readonly decoder: RecordDecoder;
  private readonly staged: StagedStreamWrite;
  private readonly deadLetters: DeadLetter[] = [];
  private deadLetterBytes = 0;
  /** Lines read and not yet decoded: a staged chunk is made of many requests' or messages' pieces. */
  private waiting: LineRecord[] = [];
  private waitingBytes = 0;

  constructor(
    private readonly def: StreamDef, format: 'csv' | 'json', header: boolean, private readonly onError: OnError,
    private readonly x: Execution,
  ) {
    this.lines = new LineRecords(header);
    this.decoder = new RecordDecoder(def.columns, format, { arrival: false });
    this.staged = x.runtime.writes.stagedStreamWrite(def.name);
  }

  /** Resolves once the chunk's records are staged, or are waiting to be with the next ones (bounded). */
  write(chunk: Uint8Array): Promise<void> {
    return this.orDiscard(async () => {
      for (const record of this.lines.write(chunk)) {
        this.waiting.push(record);
        this.waitingBytes += record.head.length;
      }
      if (this.waiting.length >= STAGE_RECORDS || this.waitingBytes >= STAGE_BYTES) await this.stageWaiting();
    });
  }

  /** Makes every staged row visible at once, then writes the dead letters; resolves with the row count. */
  end(): Promise<number> {
    return this.orDiscard(async () => {
      for (const line of this.lines.end()) this.waiting.push(line);
      await this.stageWaiting();
      const n = await this.staged.commit();
      if (this.deadLetters.length > 0) await this.x.runtime.store.appendDeadLetters(this.deadLetters);
      return n;
    });
  }

  discard(): Promise<void> {
    this.waiting = [];
    return this.staged.discard();
  }

  private async stageWaiting(): Promise<void> {
    const records = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    if (records.length === 0) return;
    const decoded = this.decoder.decode(records.filter((r) => r.value !== null), 0);
    const bad = [...records.filter((r) => r.value === null).map(oversized), ...decoded.bad]
      .sort((a, b) => Number(a.offset) - Number(b.offset));
    for (const b of bad) this.reject(b);
    if (decoded.data.numRows > 0) await this.staged.add(decoded.data);
  }

  /** A bad record under on_error. */
  private reject(b: BadRecord): void {
    const name = this.def.name;
    if (this.onError === 'fail') {
      throw new SqlError(SQLSTATE.invalid_text_representation, `COPY ${name}, line ${b.offset}: ${b.error}`, {
        detail: `bad record (${b.reason}); the stream's on_error is 'fail', so nothing was applied`,
      });
    }
    if (this.onError === 'skip') {
      this.rejected.skipped++;
      return;
    }
    this.deadLetterBytes += b.raw.length;
    if (this.deadLetterBytes > DEAD_LETTER_BUDGET_BYTES) {
      throw new SqlError(SQLSTATE.program_limit_exceeded, `COPY ${name}: more than ${DEAD_LETTER_BUDGET_BYTES} bytes of bad records`, {
        hint: 'Nothing was applied; send the data in smaller pieces.',
      });
    }
    // Its own copy: the chunk the line was read in place from is not kept.
    const raw = Buffer.from(b.raw);
    this.deadLetters.push({ source: name, partition: null, offset: b.offset, raw, reason: b.reason, error: b.error, at: new Date() });
    this.rejected.deadLettered++;
  }

  /** Runs a step; on failure what was staged is deleted before the error reaches the client. */
  private async orDiscard<R>(step: () => Promise<R>): Promise<R> {
    try {
      return await step();
    } catch (e) {
      await this.discard();
      throw e;
    }
  }
}

/** A line as a record: its offset is its line number; a value of null is a line over MAX_RECORD_BYTES. */
interface LineRecord extends KafkaRecord {
  readonly head: Uint8Array;
}

function oversized(r: LineRecord): BadRecord {
  return {
    index: -1, partition: 0, offset: r.offset, raw: r.head, reason: 'size',
    error: `the line is over the limit of ${MAX_RECORD_BYTES} bytes`,
  };
}

/** Cuts the data into lines (LF, or CRLF); empty lines are no records; a line too long is kept only as its start. */
class LineRecords {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 0;

  constructor(private skipHeader: boolean) {}

  write(chunk: Uint8Array): LineRecord[] {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const records: LineRecord[] = [];
    let at = 0;
    for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, at)) {
      this.add(bytes.subarray(at, lf));
      this.finishLine(records);
      at = lf + 1;
    }
    // Copied: the caller may reuse its buffer.
    if (at < bytes.length) this.add(Buffer.from(bytes.subarray(at)));
    return records;
  }

  end(): LineRecord[] {
    const records: LineRecord[] = [];
    if (this.pendingBytes > 0) this.finishLine(records);
    return records;
  }

  private add(piece: Buffer): void {
    // Past the limit only the start is kept, for the dead letter: a line cannot grow the server's memory.
    if (this.pendingBytes <= MAX_RECORD_BYTES) this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private finishLine(out: LineRecord[]): void {
    const size = this.pendingBytes;
    let line = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.line++;
    if (size > MAX_RECORD_BYTES) {
      out.push({ partition: 0, offset: String(this.line), value: null, head: Buffer.from(line.subarray(0, OVERSIZED_RAW_BYTES)) });
      return;
    }
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length === 0) return;
    if (this.skipHeader) {
      this.skipHeader = false;
      return;
    }
    out.push({ partition: 0, offset: String(this.line), value: line, head: line });
  }
}
