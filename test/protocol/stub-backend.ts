// A Backend with canned answers, so the protocol layer's handling of COPY, typed rows, parameters and internal
// errors can be tested through real clients before the SQL engine produces such results. Statements:
//   TYPED               one row with a value of every type (and a row of NULLs)
//   ECHO $1 $2 ...      returns its parameters as one row, typed as declared in Parse (unspecified → text)
//   COPY IN             COPY FROM STDIN collecting lines; a line containing BAD fails with 22P04
//   COPY OUT            COPY TO STDOUT of three rows with characters that need escaping
//   SUBSCRIBE           COPY TO STDOUT that never ends (a row every 20 ms) until canceled
//   MANY n              n rows of one int4 column
//   WIDE n              n rows of one text column of 1,000 characters (answers that fill sockets fast)
//   BUG                 throws a TypeError (a bug: XX000)
// Session statements (SET, SHOW, BEGIN, ...) are answered as the real server does.

import type { Backend, FieldDescription, PreparedStatement, StatementResult } from '../../server/backend';
import { SqlError, SQLSTATE } from '../../engine/errors';
import { T, TYPE_OID, TYPE_SIZE, type TypeName, type Value } from '../../engine/types';
import { CopyLineEncoder } from '../../engine/codecs/copy-out';
import { prepareSessionStatement } from '../../server/session/statements';
import { splitStatements } from '../../planner/split';

export const TYPED_COLUMNS: readonly [TypeName, Value][] = [
  ['bool', true],
  ['int2', -12],
  ['int4', 123456],
  ['int8', 9007199254740993n],
  ['float4', 1.5],
  ['float8', -2.25],
  ['numeric', '12345.678'],
  ['text', 'héllo\twörld'],
  ['varchar', 'v'],
  ['date', 10958], // 2000-01-02
  ['timestamp', 946_684_800_000_000n + 3_723_000_001n], // 2000-01-01 01:02:03.000001
  ['timestamptz', 1_700_000_000_000_000n],
  ['interval', { months: 14, days: 3, micros: 3_600_000_000 }],
  ['jsonb', '{"a": [1, 2]}'],
];

function field(name: string, type: TypeName): FieldDescription {
  return { name, typeOid: TYPE_OID[type], typeSize: TYPE_SIZE[type], typeModifier: -1, tableOid: 0, columnAttr: 0 };
}

function statement(sql: string, paramTypeOids: readonly number[], fields: readonly FieldDescription[] | null, run: PreparedStatement['execute']): PreparedStatement {
  return { sql, paramTypeOids, transaction: null, describe: async () => fields, execute: run };
}

export class StubBackend implements Backend {
  /** Lines received by COPY IN, and what it was aborted with. */
  readonly copied: string[] = [];
  readonly aborted: string[] = [];
  closedSessions = 0;
  /** Query and Parse messages taken so far: a server held back by a client that does not read stops taking them. */
  prepared = 0;

  async prepare(sql: string, paramTypeOids: readonly number[]): Promise<PreparedStatement[]> {
    this.prepared++;
    return splitStatements(sql).map((s) => prepareSessionStatement(s.text) ?? this.prepareOne(s.text, paramTypeOids));
  }

  sessionClosed(): void {
    this.closedSessions++;
  }

  private prepareOne(sql: string, paramTypeOids: readonly number[]): PreparedStatement {
    const word = sql.split(/\s+/);
    const rows = (fields: readonly FieldDescription[], rows: Value[][]): StatementResult => ({ kind: 'rows', fields, rows, tag: (n) => `SELECT ${n}` });
    switch (word[0].toUpperCase()) {
      case 'TYPED': {
        const fields = TYPED_COLUMNS.map(([t]) => field(`c_${t}`, t));
        return statement(sql, [], fields, async () => rows(fields, [TYPED_COLUMNS.map(([, v]) => v), TYPED_COLUMNS.map(() => null)]));
      }
      case 'ECHO': {
        const count = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
        const oids = Array.from({ length: count }, (_, i) => paramTypeOids[i] || TYPE_OID.text);
        const fields = oids.map((oid, i) => ({ ...field(`p${i + 1}`, 'text'), typeOid: oid }));
        return statement(sql, oids, fields, async (_s, params) => rows(fields, [[...params]]));
      }
      case 'MANY': {
        const n = Number(word[1]);
        const fields = [field('n', 'int4')];
        return statement(sql, [], fields, async () => rows(fields, Array.from({ length: n }, (_, i) => [i])));
      }
      case 'WIDE': {
        const n = Number(word[1]);
        const fields = [field('w', 'text')];
        return statement(sql, [], fields, async () => rows(fields, Array.from({ length: n }, () => ['w'.repeat(1000)])));
      }
      case 'BUG':
        return statement(sql, [], null, async () => {
          throw new TypeError('something is undefined');
        });
      case 'COPY':
        return word[1].toUpperCase() === 'IN' ? this.copyIn(sql) : this.copyOut(sql, false);
      case 'SUBSCRIBE':
        return this.copyOut(sql, true);
      default:
        throw new SqlError(SQLSTATE.syntax_error, `stub backend: unknown statement "${sql}"`, { position: 1 });
    }
  }

  private copyIn(sql: string): PreparedStatement {
    return statement(sql, [], null, async () => {
      let text = '';
      return {
        kind: 'copy_in',
        format: 'text',
        columnCount: 2,
        write: (chunk) => {
          text += Buffer.from(chunk).toString('utf8');
          if (text.includes('BAD')) throw new SqlError(SQLSTATE.bad_copy_file_format, 'bad line in COPY data');
        },
        end: async () => {
          const lines = text.split('\n').filter((l) => l !== '' && l !== '\\.');
          this.copied.push(...lines);
          return `COPY ${lines.length}`;
        },
        abort: (reason) => {
          this.aborted.push(reason);
        },
      };
    });
  }

  private copyOut(sql: string, forever: boolean): PreparedStatement {
    const encoder = new CopyLineEncoder([
      { name: 'id', type: T.int8, nullable: false }, { name: 'note', type: T.text, nullable: true },
      { name: 'at', type: T.timestamptz, nullable: true },
    ], { format: 'text' });
    return statement(sql, [], null, async (_s, _p, ctx) => ({
      kind: 'copy_out',
      columnCount: 3,
      tag: (n) => `COPY ${n}`,
      lines: (async function* () {
        if (!forever) {
          yield encoder.lines([[1n, 'tab\there', 0n], [2n, 'line\nbreak \\ slash', null]]);
          yield encoder.lines([[3n, null, 1_000_000n]]);
          return;
        }
        for (let i = 0; !ctx.signal.aborted; i++) {
          yield [encoder.line([BigInt(i), 'tick', null])];
          await new Promise((r) => setTimeout(r, 20));
        }
      })(),
    }));
  }
}
