// The name PostgreSQL gives a select-list item without an alias (FigureColname): a column's name, a function's name,
// the type of a cast constant, `case`, a scalar subquery's own column name, else ?column?.

import { typeDisplayName } from '../../engine/types';
import type { AstExpr, QueryBody } from '../parse/ast';

const TYPE_COLUMN_NAMES: Readonly<Record<string, string>> = {
  'boolean': 'bool', 'smallint': 'int2', 'integer': 'int4', 'bigint': 'int8', 'real': 'float4', 'double precision': 'float8',
  'timestamp with time zone': 'timestamptz', 'timestamp without time zone': 'timestamp', 'character varying': 'varchar',
};

export function figureName(e: AstExpr): string {
  switch (e.kind) {
    case 'column': return e.parts[e.parts.length - 1];
    case 'call': return e.name === 'btrim' && e.args.length >= 1 ? 'btrim' : e.name;
    case 'cast': {
      const inner = figureName(e.arg);
      if (inner !== '?column?') return inner;
      const t = typeDisplayName(e.type.type).replace(/\(-?\d+(,-?\d+)?\)$/, '');
      return TYPE_COLUMN_NAMES[t] ?? t;
    }
    case 'typed_string': {
      const t = typeDisplayName(e.type.type).replace(/\(-?\d+(,-?\d+)?\)$/, '');
      return TYPE_COLUMN_NAMES[t] ?? t;
    }
    case 'interval': return 'interval';
    case 'case': return 'case';
    case 'special': return e.name;
    case 'exists': return 'exists';
    case 'subquery': return firstColumnName(e.query.body);
    default: return '?column?';
  }
}

/** The name of a query's first output column, as its first SELECT names it. */
function firstColumnName(body: QueryBody): string {
  switch (body.kind) {
    case 'select': {
      const item = body.items[0];
      return item?.kind === 'expr' ? item.alias ?? figureName(item.expr) : '?column?';
    }
    case 'nested': return firstColumnName(body.query.body);
    case 'union': return firstColumnName(body.left);
    case 'values': return 'column1';
  }
}
