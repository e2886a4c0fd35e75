// The names visible in one SELECT: the columns its FROM clause brings, each under the name of the FROM item it came
// from. Resolution follows PostgreSQL: `x` must match exactly one column of all items (42703 / 42702), `t.x` needs
// an item named t (42P01) with a column x (42703).

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { SqlType } from '../../engine/types';
import type { LField } from '../logical/nodes';

export interface ScopeColumn {
  /** The FROM item's name (alias, or relation name), or null for a subquery without alias. */
  readonly qualifier: string | null;
  readonly name: string;
  readonly id: number;
  readonly type: SqlType;
  readonly nullable: boolean;
  /** Selectable by name but left out of `*` (a stream's _arrival). */
  readonly hidden: boolean;
}

/** A TUMBLE / HOP / SESSION in FROM: which columns it added. */
export interface ScopeWindow {
  readonly kind: 'tumble' | 'hop' | 'session';
  readonly startId: number;
  readonly endId: number;
  readonly pos: number;
}

export class Scope {
  constructor(
    readonly columns: readonly ScopeColumn[],
    readonly windows: readonly ScopeWindow[] = [],
  ) {}

  static empty(): Scope {
    return new Scope([]);
  }

  static ofFields(qualifier: string | null, fields: readonly LField[], hidden: ReadonlySet<number> = new Set()): Scope {
    return new Scope(fields.map((f) => ({ qualifier, name: f.name, id: f.id, type: f.type, nullable: f.nullable, hidden: hidden.has(f.id) })));
  }

  concat(other: Scope): Scope {
    return new Scope([...this.columns, ...other.columns], [...this.windows, ...other.windows]);
  }

  /** The same columns, made nullable (the inner side of a LEFT JOIN). */
  nullable(): Scope {
    return new Scope(this.columns.map((c) => ({ ...c, nullable: true })), this.windows);
  }

  hasQualifier(q: string): boolean {
    return this.columns.some((c) => c.qualifier === q);
  }

  resolve(parts: readonly string[], pos: number): ScopeColumn {
    const name = parts[parts.length - 1];
    if (parts.length >= 2) {
      const qualifier = parts[parts.length - 2];
      if (!this.hasQualifier(qualifier)) {
        throw new SqlError(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${qualifier}"`, { position: pos + 1 });
      }
      const found = this.columns.filter((c) => c.qualifier === qualifier && c.name === name);
      if (found.length === 0) {
        throw new SqlError(SQLSTATE.undefined_column, `column ${qualifier}.${name} does not exist`, { position: pos + 1 });
      }
      if (found.length > 1) {
        throw new SqlError(SQLSTATE.ambiguous_column, `column reference "${qualifier}.${name}" is ambiguous`, { position: pos + 1 });
      }
      return found[0];
    }
    const found = this.columns.filter((c) => c.name === name);
    if (found.length === 0) {
      throw new SqlError(SQLSTATE.undefined_column, `column "${name}" does not exist`, { position: pos + 1 });
    }
    if (found.length > 1) {
      throw new SqlError(SQLSTATE.ambiguous_column, `column reference "${name}" is ambiguous`, { position: pos + 1 });
    }
    return found[0];
  }

  /** The columns `*` or `q.*` expands to. */
  star(qualifier: string | null, pos: number): ScopeColumn[] {
    if (qualifier !== null) {
      const q = qualifier.split('.').pop()!;
      if (!this.hasQualifier(q)) {
        throw new SqlError(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${q}"`, { position: pos + 1 });
      }
      return this.columns.filter((c) => c.qualifier === q && !c.hidden);
    }
    if (this.columns.length === 0) {
      throw new SqlError(SQLSTATE.syntax_error, 'SELECT * with no tables specified is not valid', { position: pos + 1 });
    }
    return this.columns.filter((c) => !c.hidden);
  }
}
