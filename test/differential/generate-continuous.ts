// Continuous queries generated from the subset of the grammar that is valid as continuous (docs/sql.md ## Objects
// and DDL): filters and projections over the stream, grouped and global aggregates over the stream and the tables,
// inner and outer joins of the stream with a table and of the two tables, DISTINCT, subqueries in FROM (with column
// aliases) and in WHERE and the select list, top-n (ORDER BY ... LIMIT), TUMBLE and HOP windows. Each
// comes with the batch query PostgreSQL runs over the same rows, whose answer `SELECT * FROM name` must equal.

import { COLUMNS, RELATIONS, STREAM, TABLE_PK, TABLE_PLAIN } from './generated-data';
import { type Picker, PullQueryGenerator } from './generate';

export interface GeneratedContinuousQuery {
  readonly name: string;
  /** The body of CREATE CONTINUOUS QUERY in Sluice. */
  readonly body: string;
  /** The same answer as a batch SELECT in PostgreSQL (its columns in the order `SELECT * FROM name` gives them). */
  readonly postgres: string;
}

const WINDOWS: readonly string[] = ['1 hour', '30 minutes', '1 day', '15 seconds'];

export class ContinuousQueryGenerator {
  private readonly pull: PullQueryGenerator;
  private count = 0;

  constructor(private readonly pick: Picker) {
    this.pull = new PullQueryGenerator(pick);
  }

  private same(body: string): GeneratedContinuousQuery {
    return { name: `gen_cq_${++this.count}`, body, postgres: body };
  }

  /** A column list with aliases, because a continuous query's result columns need distinct names. */
  private named(exprs: readonly string[]): string {
    return exprs.map((e, i) => `${e} AS c${i}`).join(', ');
  }

  private aggregates(alias = ''): string[] {
    return Array.from({ length: 1 + this.pick.int(3) }, () => this.pull.aggregate(alias));
  }

  filter(): GeneratedContinuousQuery {
    const exprs = Array.from({ length: 1 + this.pick.int(3) }, () => this.pull.expression());
    return this.same(`SELECT id, ${this.named(exprs)} FROM ${STREAM.name} WHERE ${this.pull.predicate()}`);
  }

  grouped(): GeneratedContinuousQuery {
    const rel = this.pick.one([STREAM, TABLE_PK, TABLE_PLAIN]);
    const key = this.pick.one(['si', 'ii', 'bi', 'np', 'tx', 'vc', 'bo', 'dt', 'tz']);
    const where = this.pick.chance(0.5) ? ` WHERE ${this.pull.predicate()}` : '';
    const having = this.pick.chance(0.3) ? ` HAVING count(*) > ${1 + this.pick.int(2)}` : '';
    const aggs = this.named(this.aggregates());
    return this.same(`SELECT ${key}, ${aggs} FROM ${rel.name}${where} GROUP BY ${key}${having}`);
  }

  global(): GeneratedContinuousQuery {
    const rel = this.pick.one([STREAM, TABLE_PK, TABLE_PLAIN]);
    return this.same(`SELECT ${this.named(['count(*)', ...this.aggregates()])} FROM ${rel.name}`);
  }

  join(): GeneratedContinuousQuery {
    const [left, right] = this.pick.one([[STREAM, TABLE_PK], [STREAM, TABLE_PLAIN], [TABLE_PK, TABLE_PLAIN]] as const);
    const key = this.pick.one(['id', 'si', 'bi', 'vc', 'dt']);
    const kind = this.pick.one(['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN']);
    const exprs = [this.pull.expression('a.'), this.pull.expression('b.')];
    return this.same(`SELECT a.id AS a_id, b.id AS b_id, ${this.named(exprs)} FROM ${left.name} a ${kind} ` +
      `${right.name} b ON a.${key} = b.${key}`);
  }

  groupedJoin(): GeneratedContinuousQuery {
    const key = this.pick.one(['si', 'vc', 'bo']);
    return this.same(`SELECT a.${key}, ${this.named(this.aggregates('b.'))} FROM ${STREAM.name} a JOIN ${TABLE_PK.name} b ` +
      `ON a.id = b.id GROUP BY a.${key}`);
  }

  distinct(): GeneratedContinuousQuery {
    const rel = this.pick.one([STREAM, TABLE_PLAIN]);
    const cols = [...new Set([this.pick.one(['si', 'vc', 'bo', 'dt']), this.pick.one(['bi', 'tx', 'iv'])])];
    return this.same(`SELECT DISTINCT ${cols.join(', ')} FROM ${rel.name}`);
  }

  subquery(): GeneratedContinuousQuery {
    const inner = `SELECT vc, ${this.pull.expression()} FROM ${STREAM.name} WHERE ${this.pull.predicate()}`;
    return this.same(`SELECT k, count(*) AS n, count(v) AS nv FROM (${inner}) AS sub(k, v) GROUP BY k`);
  }

  /**
   * Rows of a relation (renamed by a column alias) kept by [NOT] IN, [NOT] EXISTS or a scalar subquery, with a column
   * and not an expression that might fail (KNOWN_DIFFERENCES.transientRowsInEpoch).
   */
  subqueryCondition(): GeneratedContinuousQuery {
    const rel = this.pick.one(RELATIONS);
    const condition = this.pick.one([
      () => this.pull.inSubquery('a.'), () => this.pull.exists('a.'), () => this.pull.scalarComparison('a.'),
    ])();
    const scalar = this.pick.chance(0.4) ? `, ${this.pull.scalarSubquery('a.')} AS sq` : '';
    return this.same(`SELECT a.k, a.${this.pick.one(COLUMNS).name} AS c0${scalar} FROM ${rel.name} AS a(k) ` +
      `WHERE ${condition}`);
  }

  /**
   * ORDER BY ... LIMIT over rows or groups, ordered down to a unique key so that ties are whole equal rows (Sluice
   * breaks ties by the whole row, PostgreSQL by the order it meets them: docs/sql.md).
   */
  topN(): GeneratedContinuousQuery {
    const rel = this.pick.one(RELATIONS);
    const limit = `LIMIT ${1 + this.pick.int(8)}${this.pick.chance(0.3) ? ` OFFSET ${this.pick.int(4)}` : ''}`;
    const dir = this.pick.one(['ASC', 'DESC', 'DESC NULLS LAST', 'ASC NULLS FIRST']);
    if (this.pick.chance(0.5)) {
      const col = this.pick.one(['si', 'bi', 'np', 'tx', 'dt', 'tz', 'f8']);
      return this.same(`SELECT id, ${col} FROM ${rel.name} ORDER BY ${col} ${dir}, id ${limit}`);
    }
    const key = this.pick.one(['si', 'vc', 'bo', 'dt', 'np']);
    const agg = this.pull.aggregate();
    return this.same(`SELECT ${key}, ${agg} AS c0, count(*) AS n FROM ${rel.name} GROUP BY ${key} ` +
      `ORDER BY n ${dir}, ${key} ${limit}`);
  }

  /**
   * TUMBLE over the stream's TIMESTAMPTZ; PostgreSQL's batch equivalent bins with date_bin from the Unix epoch
   * (Sluice's windows are aligned to it), and a row without an event time belongs to no window.
   */
  tumble(): GeneratedContinuousQuery {
    const size = `INTERVAL '${this.pick.one(WINDOWS)}'`;
    const aggs = this.named(this.aggregates());
    const start = `date_bin(${size}, tz, TIMESTAMPTZ '1970-01-01 00:00:00+00')`;
    return {
      name: `gen_cq_${++this.count}`,
      body: `SELECT window_start, window_end, ${aggs} FROM TUMBLE(${STREAM.name}, tz, ${size}) ` +
        'GROUP BY window_start, window_end',
      postgres: `SELECT ${start} AS window_start, ${start} + ${size} AS window_end, ${aggs} FROM ${STREAM.name} ` +
        'WHERE tz IS NOT NULL GROUP BY 1, 2',
    };
  }

  /**
   * HOP over the stream; in PostgreSQL each row joins the size / slide windows that hold it: the one its slide-sized
   * bin starts, and the ones starting 1, 2, ... slides before.
   */
  hop(): GeneratedContinuousQuery {
    const [slideMinutes, slides] = [this.pick.one([15, 30, 60]), this.pick.one([2, 3, 4])];
    const [slide, size] = [`INTERVAL '${slideMinutes} minutes'`, `INTERVAL '${slideMinutes * slides} minutes'`];
    const aggs = this.named(this.aggregates());
    const start = `date_bin(${slide}, tz, TIMESTAMPTZ '1970-01-01 00:00:00+00') - k * ${slide}`;
    return {
      name: `gen_cq_${++this.count}`,
      body: `SELECT window_start, window_end, ${aggs} FROM HOP(${STREAM.name}, tz, ${slide}, ${size}) ` +
        'GROUP BY window_start, window_end',
      postgres: `SELECT ${start} AS window_start, ${start} + ${size} AS window_end, ${aggs} ` +
        `FROM ${STREAM.name}, generate_series(0, ${slides - 1}) AS k WHERE tz IS NOT NULL GROUP BY 1, 2`,
    };
  }

  next(): GeneratedContinuousQuery {
    const shapes: ReadonlyArray<() => GeneratedContinuousQuery> = [
      () => this.filter(), () => this.grouped(), () => this.grouped(), () => this.global(), () => this.join(),
      () => this.groupedJoin(), () => this.distinct(), () => this.subquery(), () => this.tumble(), () => this.hop(),
      () => this.join(), () => this.subqueryCondition(), () => this.subqueryCondition(), () => this.topN(),
      () => this.topN(),
    ];
    return this.pick.one(shapes)();
  }
}
