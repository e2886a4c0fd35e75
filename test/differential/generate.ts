// Pull queries generated from a small grammar of what Sluice supports today (docs/sql.md ## Queries): projections,
// WHERE, GROUP BY with aggregates and HAVING, DISTINCT, ORDER BY ... LIMIT, inner and left joins, UNION ALL and
// subqueries in FROM, over the seeded relations of generated-data.ts. The same text runs on Sluice and PostgreSQL.

import { COLUMNS, RELATIONS, TABLE_PK, type ColumnKind, type Relation } from './generated-data';
import { LITERALS, PATTERNS, PROJECTIONS, type Template } from './expressions';

export interface GeneratedQuery {
  readonly sql: string;
  /** True when the ORDER BY fully determines the order of the rows, so they are compared in order. */
  readonly ordered: boolean;
}

/** Draws from one seeded source of randomness, so a seed names the whole run. */
export class Picker {
  constructor(private readonly random: () => number) {}
  int(below: number): number {
    return Math.floor(this.random() * below);
  }
  one<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('picking from nothing');
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

/** The templates no rule keeps out; without those that may make a -0 where `signedZero` is false. */
const usable = (ts: readonly Template[], signedZero = true): readonly Template[] =>
  ts.filter((x) => x.unless === undefined && (signedZero || x.signedZero === undefined));
const comparable = COLUMNS.filter((c) => LITERALS[c.kind].length > 0);
/** What sum and avg are generated over: not REAL or DOUBLE (KNOWN_DIFFERENCES.floatAggregateOverflow). */
const SUMMABLE_KINDS: readonly ColumnKind[] = ['int2', 'int4', 'int8', 'numeric', 'interval'];
/** Kinds whose values group and join by equality the same way in both systems (no NaN, no scale-distinct equals). */
const KEY_KINDS: readonly ColumnKind[] = ['int2', 'int4', 'int8', 'text', 'varchar', 'bool', 'date', 'timestamp',
  'timestamptz', 'interval'];
const keyColumns = COLUMNS.filter((c) => KEY_KINDS.includes(c.kind));

export class PullQueryGenerator {
  constructor(private readonly pick: Picker) {}

  /**
   * An expression over a column (qualified by `alias` when given); `signedZero` false for results held in a join or
   * a continuous query (KNOWN_DIFFERENCES.negativeZeroInMultisets).
   */
  expression(alias = '', signedZero = true): string {
    const col = this.pick.one(COLUMNS);
    return this.pick.one(usable(PROJECTIONS[col.kind], signedZero)).sql(alias + col.name);
  }

  /** A condition: comparisons, IN, BETWEEN, LIKE, IS NULL, combined with AND / OR / NOT. */
  predicate(alias = '', depth = 0): string {
    if (depth < 2 && this.pick.chance(0.3)) {
      const op = this.pick.one(['AND', 'OR']);
      return `(${this.predicate(alias, depth + 1)} ${op} ${this.predicate(alias, depth + 1)})`;
    }
    if (depth < 2 && this.pick.chance(0.1)) return `NOT ${this.predicate(alias, depth + 1)}`;
    const col = this.pick.one(comparable);
    const c = alias + col.name;
    const lit = (): string => this.pick.one(LITERALS[col.kind]);
    switch (this.pick.int(7)) {
      case 0: return `${c} ${this.pick.one(['=', '<>', '<', '<=', '>', '>='])} ${lit()}`;
      case 1: return `${c} IS ${this.pick.one(['NULL', 'NOT NULL'])}`;
      case 2: return `${c} ${this.pick.chance(0.3) ? 'NOT ' : ''}IN (${lit()}, ${lit()}, ${lit()})`;
      case 3: {
        const [a, b] = [lit(), lit()];
        return `${c} ${this.pick.chance(0.2) ? 'NOT ' : ''}BETWEEN ${a} AND ${b}`;
      }
      case 4: {
        const text = this.pick.one(COLUMNS.filter((x) => x.kind === 'text' || x.kind === 'varchar'));
        return `${alias}${text.name} ${this.pick.one(['LIKE', 'NOT LIKE', 'ILIKE'])} ${this.pick.one(PATTERNS)}`;
      }
      case 5: return `${c} IS ${this.pick.chance(0.5) ? 'NOT ' : ''}DISTINCT FROM ${lit()}`;
      default: {
        const flag = COLUMNS.find((x) => x.kind === 'bool')!;
        return `${alias}${flag.name} IS ${this.pick.one(['TRUE', 'NOT TRUE', 'FALSE', 'NOT FALSE'])}`;
      }
    }
  }

  /**
   * An aggregate over a column (count, count distinct, sum, avg, min, max, bool_and / bool_or); `retracting` for a
   * continuous query whose input deletes rows (KNOWN_DIFFERENCES.numericSumScaleAfterDelete).
   */
  aggregate(alias = '', retracting = false): string {
    const col = this.pick.one(COLUMNS.filter((c) => c.kind !== 'jsonb'));
    const c = alias + col.name;
    const choices = [`count(*)`, `count(${c})`];
    if (KEY_KINDS.includes(col.kind)) choices.push(`count(DISTINCT ${c})`);
    if (col.kind !== 'bool') choices.push(`min(${c})`, `max(${c})`);
    if (SUMMABLE_KINDS.includes(col.kind) && !(retracting && col.kind === 'numeric')) choices.push(`sum(${c})`, `avg(${c})`);
    if (col.kind === 'bool') choices.push(`bool_and(${c})`, `bool_or(${c})`);
    return this.pick.one(choices);
  }

  private relation(): Relation {
    return this.pick.one(RELATIONS);
  }

  private where(alias = ''): string {
    if (this.pick.chance(0.1)) return ` WHERE ${this.inSubquery(alias)}`;
    return this.pick.chance(0.7) ? ` WHERE ${this.predicate(alias)}` : '';
  }

  /** `x IN (SELECT ...)`, which Sluice takes as a condition of WHERE (joined by AND). */
  private inSubquery(alias: string): string {
    const key = this.pick.one(keyColumns);
    return `${alias}${key.name} IN (SELECT ${key.name} FROM ${this.relation().name} WHERE ${this.predicate()})`;
  }

  projection(): GeneratedQuery {
    const rel = this.relation();
    const exprs = Array.from({ length: 1 + this.pick.int(3) }, () => this.expression());
    const ordered = rel === TABLE_PK;
    return { sql: `SELECT id, ${exprs.join(', ')} FROM ${rel.name}${this.where()}${ordered ? ' ORDER BY id' : ''}`, ordered };
  }

  grouped(): GeneratedQuery {
    const rel = this.relation();
    const keys = [this.pick.one(keyColumns), ...(this.pick.chance(0.3) ? [this.pick.one(keyColumns)] : [])];
    const names = [...new Set(keys.map((k) => k.name))];
    const aggs = Array.from({ length: 1 + this.pick.int(3) }, () => this.aggregate());
    const having = this.pick.chance(0.3) ? ` HAVING count(*) > ${this.pick.int(3)}` : '';
    // Ordered by every group key (by position), the order is fully determined: compared in order.
    const positions = names.map((_, i) => `${i + 1} ${this.pick.one(['ASC', 'DESC NULLS LAST'])}`);
    const ordered = this.pick.chance(0.4);
    return { sql: `SELECT ${names.join(', ')}, ${aggs.join(', ')} FROM ${rel.name}${this.where()} ` +
      `GROUP BY ${names.join(', ')}${having}${ordered ? ` ORDER BY ${positions.join(', ')}` : ''}`, ordered };
  }

  globalAggregate(): GeneratedQuery {
    const aggs = Array.from({ length: 2 + this.pick.int(3) }, () => this.aggregate());
    return { sql: `SELECT ${aggs.join(', ')} FROM ${this.relation().name}${this.where()}`, ordered: true };
  }

  distinct(): GeneratedQuery {
    const cols = [...new Set([this.pick.one(keyColumns), this.pick.one(keyColumns)].map((c) => c.name))];
    return { sql: `SELECT DISTINCT ${cols.join(', ')} FROM ${this.relation().name}${this.where()}`, ordered: false };
  }

  /** ORDER BY a column, then the primary key, so the order (and so the LIMIT) is fully determined. */
  topN(): GeneratedQuery {
    const col = this.pick.one(keyColumns.concat(COLUMNS.filter((c) => c.kind === 'numeric' || c.kind === 'float8')));
    const dir = `${this.pick.one(['ASC', 'DESC'])} NULLS ${this.pick.one(['FIRST', 'LAST'])}`;
    const offset = this.pick.chance(0.3) ? ` OFFSET ${this.pick.int(5)}` : '';
    return { sql: `SELECT id, ${col.name} FROM ${TABLE_PK.name}${this.where()} ORDER BY ${col.name} ${dir}, id ` +
      `LIMIT ${1 + this.pick.int(10)}${offset}`, ordered: true };
  }

  join(): GeneratedQuery {
    const [left, right] = [this.relation(), this.relation()];
    const key = this.pick.one(['id', ...keyColumns.map((c) => c.name)]);
    const kind = this.pick.one(['JOIN', 'LEFT JOIN']);
    const pred = this.pick.chance(0.5) ? ` WHERE ${this.predicate('a.')}` : '';
    return { sql: `SELECT a.id, b.id, ${this.expression('a.', false)}, ${this.expression('b.', false)} FROM ${left.name} a ${kind} ` +
      `${right.name} b ON a.${key} = b.${key}${pred}`, ordered: false };
  }

  unionAll(): GeneratedQuery {
    const col = this.pick.one(COLUMNS);
    const part = (): string => `SELECT ${col.name}, ${this.pick.one(usable(PROJECTIONS[col.kind])).sql(col.name)} ` +
      `FROM ${this.relation().name}${this.where()}`;
    return { sql: `${part()} UNION ALL ${part()}`, ordered: false };
  }

  subqueryInFrom(): GeneratedQuery {
    const rel = this.relation();
    const key = this.pick.one(keyColumns);
    const inner = `SELECT ${key.name} AS k, ${this.expression()} AS v FROM ${rel.name}${this.where()}`;
    return { sql: `SELECT k, count(*), count(v) FROM (${inner}) sub GROUP BY k`, ordered: false };
  }

  /** One query of a shape chosen at random, weighted towards the plain shapes. */
  next(): GeneratedQuery {
    const shapes: ReadonlyArray<() => GeneratedQuery> = [
      () => this.projection(), () => this.projection(), () => this.projection(), () => this.grouped(),
      () => this.grouped(), () => this.globalAggregate(), () => this.distinct(), () => this.topN(), () => this.join(),
      () => this.unionAll(), () => this.subqueryInFrom(),
    ];
    return this.pick.one(shapes)();
  }
}
