// Expressions as stable one-line text for EXPLAIN: columns by position (#2), literals as SQL, operators infix.

import type { Expr } from '../plan';
import { formatValue } from '../text';
import { typeDisplayName } from '../types';

const INFIX = new Set(['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', '||', '->', '->>']);

export function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'column': return `#${e.index}`;
    case 'param': return `$${e.index + 1}`;
    case 'literal': {
      if (e.value === null) return 'NULL';
      const text = formatValue(e.value, e.type);
      if (typeof e.value === 'number' || typeof e.value === 'bigint' || typeof e.value === 'boolean') return text;
      const quoted = `'${text.replace(/'/g, "''")}'`;
      return e.type.name === 'text' || e.type.name === 'unknown' ? quoted : `${quoted}::${typeDisplayName(e.type)}`;
    }
    case 'cast': return `CAST(${describeExpr(e.expr)} AS ${typeDisplayName(e.type)})`;
    case 'case': {
      const whens = e.whens.map((w) => ` WHEN ${describeExpr(w.when)} THEN ${describeExpr(w.then)}`).join('');
      const otherwise = e.otherwise === null ? '' : ` ELSE ${describeExpr(e.otherwise)}`;
      return `CASE${whens}${otherwise} END`;
    }
    case 'call': {
      const args = e.args.map(describeExpr);
      if (INFIX.has(e.fn) && args.length === 2) return `(${args[0]} ${e.fn} ${args[1]})`;
      switch (e.fn) {
        case 'and': return `(${args.join(' AND ')})`;
        case 'or': return `(${args.join(' OR ')})`;
        case 'not': return `(NOT ${args[0]})`;
        case 'neg': return `(- ${args[0]})`;
        case 'is_null': return `(${args[0]} IS NULL)`;
        case 'is_not_null': return `(${args[0]} IS NOT NULL)`;
        case 'is_true': return `(${args[0]} IS TRUE)`;
        case 'is_false': return `(${args[0]} IS FALSE)`;
        case 'is_distinct_from': return `(${args[0]} IS DISTINCT FROM ${args[1]})`;
        case 'in': return `(${args[0]} IN (${args.slice(1).join(', ')}))`;
        case 'like': return `(${args[0]} LIKE ${args[1]})`;
        case 'ilike': return `(${args[0]} ILIKE ${args[1]})`;
        default: return `${e.fn}(${args.join(', ')})`;
      }
    }
  }
}
