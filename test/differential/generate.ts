// Pull queries generated from a small grammar of what Sluice supports today (docs/sql.md ## Queries): projections,
// WHERE, GROUP BY with aggregates and HAVING, DISTINCT, ORDER BY ... LIMIT, inner, left, right and full joins, UNION
// [ALL] (with untyped NULLs), subqueries in FROM and column aliases, scalar (also correlated), [NOT] EXISTS and
// [NOT] IN subqueries, over the seeded relations of generated-data.ts. The same text runs on Sluice and PostgreSQL.

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

/** The templates no rule keeps out. */
const usable = (ts: readonly Template[]): readonly Template[] => ts.filter((x) => x.unless === undefined);
const comparable = COLUMNS.filter((c) => LITERALS[c.kind].length > 0);
/** A float sum or avg to its first 15 digits (KNOWN_DIFFERENCES.floatSumOrder); others as they are. */
const fifteenDigits = (aggregate: string, kind: ColumnKind): string =>
  (kind === 'float4' || kind === 'float8' ? `${aggregate}::numeric` : aggregate);
/** What sum and avg are generated over. */
const SUMMABLE_KINDS: readonly ColumnKind[] = ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'numeric_ps', 'interval'];
/**
 * Kinds whose values group and join by equality and print the same way in both systems: no NaN, and no values
 * equal but shown apart (NUMERIC 1.0 and 1.00, REAL and DOUBLE -0 and 0), of which a group or a DISTINCT shows the
 * first it meets, and the two systems meet rows in different orders (hash joins, subqueries).
 */
const KEY_KINDS: readonly ColumnKind[] = ['int2', 'int4', 'int8', 'numeric_ps', 'text', 'varchar', 'bool', 'date',
  'timestamp', 'timestamptz', 'interval'];
const keyColumns = COLUMNS.filter((c) => KEY_KINDS.includes(c.kind));

export class PullQueryGenerator {
  constructor(private readonly pick: Picker) {}

  /** An expression over a column (qualified by `alias` when given). */
  expression(alias = ''): string {
    const col = this.pick.one(COLUMNS);
    return this.pick.one(usable(PROJECTIONS[col.kind])).sql(alias + col.name);
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

  /** An aggregate over a column (count, count distinct, sum, avg, min, max, bool_and / bool_or). */
  aggregate(alias = ''): string {
    const col = this.pick.one(COLUMNS.filter((c) => c.kind !== 'jsonb'));
    const c = alias + col.name;
    const choices = [`count(*)`, `count(${c})`];
    if (KEY_KINDS.includes(col.kind)) choices.push(`count(DISTINCT ${c})`);
    if (col.kind !== 'bool') choices.push(`min(${c})`, `max(${c})`);
    if (SUMMABLE_KINDS.includes(col.kind)) choices.push(...[`sum(${c})`, `avg(${c})`].map((a) => fifteenDigits(a, col.kind)));
    if (col.kind === 'bool') choices.push(`bool_and(${c})`, `bool_or(${c})`);
    return this.pick.one(choices);
  }

  private relation(): Relation {
    return this.pick.one(RELATIONS);
  }

  /** `alias` qualifies the outer columns (`a.`), which correlated subqueries need. */
  where(alias = ''): string {
    const r = this.pick.int(20);
    if (r < 2) return ` WHERE ${this.inSubquery(alias)}`;
    if (r < 4) return ` WHERE ${this.exists(alias)}`;
    if (r < 5) return ` WHERE ${this.scalarComparison(alias)}`;
    if (r < 6) return ` WHERE ${this.inSubquery(alias)} AND ${this.predicate(alias)}`;
    return r < 15 ? ` WHERE ${this.predicate(alias)}` : '';
  }

  /** `x [NOT] IN (SELECT ...)`, which Sluice takes as a condition of WHERE (joined by AND). */
  inSubquery(alias: string): string {
    const key = this.pick.one(keyColumns);
    const not = this.pick.chance(0.4) ? 'NOT ' : '';
    return `${alias}${key.name} ${not}IN (SELECT ${key.name} FROM ${this.relation().name} WHERE ${this.predicate()})`;
  }

  /** `[NOT] EXISTS (SELECT ...)`, uncorrelated or correlated by an equality with the outer row (needs `alias`). */
  exists(alias: string): string {
    const not = this.pick.chance(0.4) ? 'NOT ' : '';
    const key = this.pick.one(keyColumns).name;
    const correlation = alias !== '' && this.pick.chance(0.7) ? `s.${key} = ${alias}${key} AND ` : '';
    return `${not}EXISTS (SELECT 1 FROM ${this.relation().name} s WHERE ${correlation}${this.predicate('s.')})`;
  }

  /**
   * A scalar subquery of one aggregate: uncorrelated, or (given `alias`) correlated by an equality with the outer row.
   * A correlated bare count is 0 for a key without rows, as in PostgreSQL.
   */
  scalarSubquery(alias: string): string {
    const key = this.pick.one(keyColumns).name;
    const correlated = alias !== '' && this.pick.chance(0.6);
    const where = correlated ? ` WHERE s.${key} = ${alias}${key}` : this.pick.chance(0.5) ? ` WHERE ${this.predicate('s.')}` : '';
    return `(SELECT ${this.aggregate('s.')} FROM ${this.relation().name} s${where})`;
  }

  /** A column compared with a scalar subquery over the same column. */
  scalarComparison(alias: string): string {
    const col = this.pick.one(COLUMNS.filter((c) => SUMMABLE_KINDS.includes(c.kind) && c.kind !== 'interval'));
    const agg = this.pick.one(['max', 'min', 'avg']);
    return `${alias}${col.name} ${this.pick.one(['<', '>=', '='])} (SELECT ${agg}(${col.name}) FROM ${this.relation().name})`;
  }

  projection(): GeneratedQuery {
    const rel = this.relation();
    const exprs = Array.from({ length: 1 + this.pick.int(3) }, () => this.expression('a.'));
    if (this.pick.chance(0.2)) exprs.push(this.scalarSubquery('a.'));
    const ordered = rel === TABLE_PK;
    return { sql: `SELECT a.id, ${exprs.join(', ')} FROM ${rel.name} a${this.where('a.')}${ordered ? ' ORDER BY a.id' : ''}`,
      ordered };
  }

  /** A column alias in FROM renames the first column (`id`), the others keep their names. */
  columnAlias(): GeneratedQuery {
    const rel = this.relation();
    const ordered = rel === TABLE_PK;
    return { sql: `SELECT t.k, ${this.expression('t.')} FROM ${rel.name} AS t(k)${this.where('t.')}` +
      `${ordered ? ' ORDER BY t.k' : ''}`, ordered };
  }

  grouped(): GeneratedQuery {
    const rel = this.relation();
    const keys = [this.pick.one(keyColumns), ...(this.pick.chance(0.3) ? [this.pick.one(keyColumns)] : [])];
    const names = [...new Set(keys.map((k) => k.name))];
    const aggs = Array.from({ length: 1 + this.pick.int(3) }, () => this.aggregate());
    const having = this.pick.chance(0.3) ? ` HAVING count(*) > ${this.pick.int(3)}`
      : this.pick.chance(0.1) ? ` HAVING count(*) * 10 > (SELECT count(*) FROM ${this.relation().name})` : '';
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
    const kind = this.pick.one(['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN']);
    const pred = this.pick.chance(0.5) ? ` WHERE ${this.predicate('a.')}` : '';
    return { sql: `SELECT a.id, b.id, ${this.expression('a.')}, ${this.expression('b.')} FROM ${left.name} a ${kind} ` +
      `${right.name} b ON a.${key} = b.${key}${pred}`, ordered: false };
  }

  /**
   * UNION ALL, or UNION over key kinds (which deduplicate alike in both systems); a branch may be untyped NULLs,
   * typed by the other branch as in PostgreSQL.
   */
  union(): GeneratedQuery {
    const distinct = this.pick.chance(0.3);
    const col = this.pick.one(distinct ? keyColumns : COLUMNS);
    // UNION keeps the first of equal rows it meets: one expression for both branches, so equal rows print alike.
    const expression = this.pick.one(usable(PROJECTIONS[col.kind]));
    const part = (): string => {
      const template = distinct ? expression : this.pick.one(usable(PROJECTIONS[col.kind]));
      return `SELECT ${col.name}, ${template.sql(col.name)} FROM ${this.relation().name}${this.where()}`;
    };
    const parts = [part(), this.pick.chance(0.25) ? 'SELECT NULL, NULL' : part()];
    if (this.pick.chance(0.5)) parts.reverse();
    return { sql: parts.join(distinct ? ' UNION ' : ' UNION ALL '), ordered: false };
  }

  subqueryInFrom(): GeneratedQuery {
    const rel = this.relation();
    const key = this.pick.one(keyColumns);
    const aliased = this.pick.chance(0.5);
    const inner = `SELECT ${key.name}${aliased ? '' : ' AS k'}, ${this.expression()}${aliased ? '' : ' AS v'} ` +
      `FROM ${rel.name}${this.where()}`;
    return { sql: `SELECT k, count(*), count(v) FROM (${inner}) ${aliased ? 'AS sub(k, v)' : 'sub'} GROUP BY k`,
      ordered: false };
  }

  /** One query of a shape chosen at random, weighted towards the plain shapes. */
  next(): GeneratedQuery {
    const shapes: ReadonlyArray<() => GeneratedQuery> = [
      () => this.projection(), () => this.projection(), () => this.projection(), () => this.grouped(),
      () => this.grouped(), () => this.globalAggregate(), () => this.distinct(), () => this.topN(), () => this.join(),
      () => this.join(), () => this.union(), () => this.subqueryInFrom(), () => this.columnAlias(),
    ];
    return this.pick.one(shapes)();
  }
}
