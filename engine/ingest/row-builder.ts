// The one row validator of every decoder: rows of a target's columns written into their column builders, each value
// checked as it is set (its type's syntax and range, varchar(n) length: the builders; NULL where the column may not
// be NULL: here). A problem names its column; the decoder decides what it becomes (a COPY error, a dead letter).

import type { Data } from 'apache-arrow';
import type { Field, TypeName } from '../types';
import { UTC_ZONE, type TimeZone } from '../values/timezone';
import { columnBuilder, type ColumnBuilder, type SetResult } from './column-builders';
import { notNullViolation, type ColumnProblem } from './problems';
import { JSON_FALSE, JSON_NULL, JSON_NUMBER, JSON_STRING, JSON_TRUE, type JsonFields } from './json-object';
import { jsonNumberAt } from './number-bytes';
import { NULL, RAW, type RecordFields } from './record-fields';

/** The columns rows are built for and which of them must not be NULL: worked out once per target. */
export class RowRules {
  /** notNull[c] is 1 when column c must not be NULL. */
  readonly notNull: Uint8Array;

  /**
   * `alsoNotNull`: columns that must not be NULL besides those declared NOT NULL (a Kafka table's primary key);
   * `owner`: the relation NOT NULL errors name, when the decoder knows it (problems.ts relationOwner).
   */
  constructor(
    readonly columns: readonly Field[], alsoNotNull: readonly string[] = [], readonly owner?: string,
    /** Where a TIMESTAMPTZ text without an offset is a wall-clock time: the session's for COPY, UTC for Kafka. */
    readonly zone: TimeZone = UTC_ZONE,
  ) {
    this.notNull = new Uint8Array(columns.length);
    columns.forEach((c, i) => {
      if (!c.nullable || alsoNotNull.includes(c.name)) this.notNull[i] = 1;
    });
  }
}

/** Up to `capacity` rows under `rules`; row numbers are the caller's, and a row set again is overwritten. */
export class RowBuilder {
  private readonly builders: ColumnBuilder[];

  constructor(private readonly rules: RowRules, capacity: number) {
    this.builders = rules.columns.map((f) => columnBuilder(f, capacity, rules.zone));
  }

  setNull(c: number, row: number): ColumnProblem | null {
    if (this.rules.notNull[c] === 1) {
      return { ...notNullViolation(this.rules.columns[c].name, this.rules.owner), column: c, kind: 'not_null' };
    }
    this.builders[c].text(row, null);
    return null;
  }

  /** A JSON value; null and undefined are NULL. */
  setJson(c: number, row: number, v: unknown): ColumnProblem | null {
    if (v === null || v === undefined) return this.setNull(c, row);
    return this.checked(c, this.builders[c].json(row, v));
  }

  /** PostgreSQL text. */
  setText(c: number, row: number, s: string): ColumnProblem | null {
    return this.checked(c, this.builders[c].text(row, s));
  }

  /** PostgreSQL text as UTF-8 in bytes[start, end). */
  setBytes(c: number, row: number, bytes: Buffer, start: number, end: number): ColumnProblem | null {
    return this.checked(c, this.builders[c].bytes(row, bytes, start, end));
  }

  /** Field k of a scanned record (CSV, COPY text), whose bytes are `bytes`. */
  setField(c: number, row: number, fields: RecordFields, k: number, bytes: Buffer): ColumnProblem | null {
    const kind = fields.kind[k];
    if (kind === RAW) return this.setBytes(c, row, bytes, fields.start[k], fields.end[k]);
    if (kind === NULL) return this.setNull(c, row);
    return this.setText(c, row, fields.text[k]);
  }

  /** Field k of a scanned JSON object (json-object.ts), whose bytes are `bytes`: what setJson of JSON.parse's value does. */
  setJsonField(c: number, row: number, fields: JsonFields, k: number, bytes: Buffer): ColumnProblem | null {
    const start = fields.start[k];
    const end = fields.end[k];
    switch (fields.kind[k]) {
      case JSON_STRING:
        // A string is PostgreSQL text for every type but JSONB, where it is a JSON string.
        if (this.rules.columns[c].type.name !== 'jsonb') return this.setBytes(c, row, bytes, start, end);
        return this.setJson(c, row, bytes.toString('utf8', start, end));
      case JSON_NUMBER:
        if (readsNumberDigits(this.rules.columns[c].type.name, bytes, start, end)) return this.setBytes(c, row, bytes, start, end);
        return this.setJson(c, row, jsonNumberAt(bytes, start, end));
      case JSON_TRUE: return this.setJson(c, row, true);
      case JSON_FALSE: return this.setJson(c, row, false);
      case JSON_NULL: return this.setNull(c, row);
      default: return this.setJson(c, row, JSON.parse(bytes.toString('utf8', start, end))); // escaped strings, nesting
    }
  }

  /** The first n rows, one Arrow column per column. */
  finish(n: number): Data[] {
    return this.builders.map((b) => b.finish(n));
  }

  private checked(c: number, result: SetResult): ColumnProblem | null {
    return result === null ? null : { ...result, column: c, kind: 'type' };
  }
}

const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/**
 * Whether a JSON number in bytes[start, end) goes to a column of this type as its own digits rather than as the
 * double JSON.parse makes of it: NUMERIC always (every digit and its scale, as PostgreSQL reads JSON numbers), BIGINT
 * when it is written as an integer (a double holds only 2^53 exactly).
 */
export function readsNumberDigits(type: TypeName, bytes: Buffer, start: number, end: number): boolean {
  if (type === 'numeric') return true;
  if (type !== 'int8') return false;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === DOT || b === LOWER_E || b === UPPER_E) return false;
  }
  return true;
}
