// Planned statements kept for reuse, so a statement sent again (the same text through the simple protocol, an
// unnamed Parse, or a named prepared statement executed again) is not parsed, bound and planned from scratch.
//
// A plan is only as good as the catalog it was bound against. Rather than track which objects each plan read, any
// change to the catalog moves a version counter and empties the cache (CREATE and DROP are rare next to INSERTs);
// a prepared statement keeps its own plan with the version it was made at and plans again when that moved.
//
// Only statements whose plan is a function of their text, their declared parameter types, the user and the catalog
// are kept: SELECT, INSERT, UPDATE and DELETE (planning folds current_user, so the user is part of the key). DDL
// is not (its definitions carry a creation time), nor is anything rare enough not to matter.

import type { Statement } from '../../engine/statement';

/** Unique statement texts differ in their literals, so the cache is bounded: the oldest entry goes first. */
const MAX_ENTRIES = 512;

/** A plan with the catalog version it was bound against. */
export interface VersionedPlan {
  readonly version: number;
  readonly statement: Statement;
  /** Whether it may serve later executions while the catalog stays at `version`. */
  readonly reusable: boolean;
}

export class PlanCache {
  private catalogVersion = 0;
  private readonly plans = new Map<string, Statement>();

  /** Call on every catalog change: every plan made before it may name objects that changed. */
  catalogChanged(): void {
    this.catalogVersion++;
    this.plans.clear();
  }

  get version(): number {
    return this.catalogVersion;
  }

  /** The plan for `key` against the catalog as it is now: the kept one, or `plan()`'s, kept if it may be. */
  plan(key: string, plan: () => Statement): VersionedPlan {
    const version = this.catalogVersion;
    const kept = this.plans.get(key);
    if (kept !== undefined) return { version, statement: kept, reusable: true };
    const statement = plan();
    const reusable = isReusable(statement);
    if (reusable) {
      if (this.plans.size >= MAX_ENTRIES) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(key, statement);
    }
    return { version, statement, reusable };
  }

  /** Whether `key` has a plan for the current catalog (a statement sent before needs no new parse either). */
  has(key: string): boolean {
    return this.plans.has(key);
  }
}

function isReusable(s: Statement): boolean {
  return s.kind === 'select' || s.kind === 'insert' || s.kind === 'update' || s.kind === 'delete';
}

/** What a plan depends on besides the catalog. */
export function planKey(text: string, paramTypeOids: readonly number[], user: string): string {
  return `${user}\u0000${paramTypeOids.join(',')}\u0000${text}`;
}
