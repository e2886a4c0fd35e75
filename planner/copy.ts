// COPY ... TO STDOUT's planning: a relation's rows become the query `SELECT columns FROM relation`, planned as any
// pull query, and the options are checked together as PostgreSQL 15's ProcessCopyOptions checks them, with its
// wording and SQLSTATEs.

import { describeRelation } from '../engine/catalog';
import type { CopyFormatOptions } from '../engine/codecs/copy-out';
import { SqlError, SQLSTATE } from '../engine/errors';
import type { Statement } from '../engine/statement';
import type { Schema } from '../engine/types';
import type { PlannerCatalog } from './context';
import type { CopyOptionsAst, CopyToSource, Query } from './parse/ast';
import type { PlannedSelect } from './plan';

/** The query whose rows COPY writes: the one in parentheses, or `SELECT columns FROM relation`. */
export function copySourceQuery(source: CopyToSource, catalog: PlannerCatalog): Query {
  if (source.kind === 'query') return source.query;
  const { relation, columns } = source;
  const def = catalog.relation(relation.name);
  if (def === undefined) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${relation.name}" does not exist`, { position: relation.pos + 1 });
  }
  if (def.kind === 'sink') {
    throw new SqlError(SQLSTATE.wrong_object_type, `cannot copy from ${describeRelation(def)}`, {
      position: relation.pos + 1, hint: 'Copy from what the sink reads from.',
    });
  }
  const seen = new Set<string>();
  for (const c of columns ?? []) {
    if (!def.columns.some((f) => f.name === c.name)) {
      throw new SqlError(SQLSTATE.undefined_column, `column "${c.name}" of relation "${def.name}" does not exist`, { position: c.pos + 1 });
    }
    if (seen.has(c.name)) {
      throw new SqlError(SQLSTATE.duplicate_column, `column "${c.name}" specified more than once`, { position: c.pos + 1 });
    }
    seen.add(c.name);
  }
  const pos = relation.pos;
  const items = columns === null
    ? [{ kind: 'star' as const, qualifier: null, pos }]
    : columns.map((c) => ({ kind: 'expr' as const, expr: { kind: 'column' as const, parts: [c.name], pos: c.pos }, alias: null, pos: c.pos }));
  return {
    body: {
      kind: 'select', distinct: false, items, where: null, groupBy: [], having: null, pos,
      from: [{ kind: 'relation', schema: null, name: def.name, alias: null, pos }],
    },
    orderBy: [], limit: null, offset: null, pos, end: pos,
  };
}

export function planCopyTo(options: CopyOptionsAst, select: PlannedSelect): Statement {
  return {
    kind: 'copy_to',
    plan: select.plan,
    paramTypes: select.paramTypes,
    format: copyFormat(options, select.plan.schema),
    header: options.header,
  };
}

const invalid = (message: string): SqlError => new SqlError(SQLSTATE.invalid_parameter_value, message);
const unsupported = (message: string): SqlError => new SqlError(SQLSTATE.feature_not_supported, message);
const oneByte = (s: string): boolean => Buffer.byteLength(s) === 1;

function copyFormat(o: CopyOptionsAst, schema: Schema): CopyFormatOptions {
  const csv = o.format === 'csv';
  const delimiter = o.delimiter ?? (csv ? ',' : '\t');
  const nullText = o.null ?? (csv ? '' : '\\N');
  if (!oneByte(delimiter)) throw unsupported('COPY delimiter must be a single one-byte character');
  if (delimiter === '\n' || delimiter === '\r') throw invalid('COPY delimiter cannot be newline or carriage return');
  if (nullText.includes('\n') || nullText.includes('\r')) throw invalid('COPY null representation cannot use newline or carriage return');
  // In text, a backslash, a dot, a letter or a digit after a backslash means something else.
  if (!csv && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delimiter)) throw invalid(`COPY delimiter cannot be "${delimiter}"`);
  if (!csv && o.quote !== null) throw unsupported('COPY quote available only in CSV mode');
  if (!csv && o.escape !== null) throw unsupported('COPY escape available only in CSV mode');
  if (!csv && o.forceQuote !== null) throw unsupported('COPY force quote available only in CSV mode');
  if (nullText.includes(delimiter)) throw invalid('COPY delimiter must not appear in the NULL specification');
  if (!csv) return { format: 'text', delimiter, null: nullText };
  const quote = o.quote ?? '"';
  const escape = o.escape ?? quote;
  if (!oneByte(quote)) throw unsupported('COPY quote must be a single one-byte character');
  if (delimiter === quote) throw invalid('COPY delimiter and quote must be different');
  if (!oneByte(escape)) throw unsupported('COPY escape must be a single one-byte character');
  if (nullText.includes(quote)) throw invalid('CSV quote character must not appear in the NULL specification');
  return { format: 'csv', delimiter, null: nullText, quote, escape, forceQuote: forceQuoteColumns(o.forceQuote, schema) };
}

function forceQuoteColumns(force: CopyOptionsAst['forceQuote'], schema: Schema): boolean[] {
  if (force === null) return schema.map(() => false);
  if (force === 'all') return schema.map(() => true);
  for (const c of force) {
    if (!schema.some((f) => f.name === c.name)) {
      throw new SqlError(SQLSTATE.invalid_column_reference, `FORCE_QUOTE column "${c.name}" not referenced by COPY`, { position: c.pos + 1 });
    }
  }
  return schema.map((f) => force.some((c) => c.name === f.name));
}
