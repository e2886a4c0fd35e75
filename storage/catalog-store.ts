// The durable catalog: every relation definition with its stable relation id. Ids are never reused, so a dropped and
// re-created name starts from nothing even if the dropped relation's data were still being purged. The catalog is
// small; it is read once at open and served from memory, and a change becomes visible only once it is durable.

import { StorageError, internalError } from './errors';
import { type StoreContext, del, deleteRange, parseJson, putJson, scan, scanKeys } from './db-io';
import type { WriteOp } from './group-commit';
import {
  MAX_RELATION_ID, NS, PER_RELATION_NAMESPACES, catalogKey, catalogKeyName, keyRelationId, metaKey, namespaceRange,
  prefixRange, relationPrefix,
} from './keys';

/**
 * What storage needs of a definition: its name. The rest is the engine's (stored as JSON, read back as written);
 * the engine instantiates the store with its own definition type.
 */
export interface NamedDef {
  readonly name: string;
}

export interface StoredDef<D extends NamedDef = NamedDef> {
  /** Stable small integer, allocated at CREATE; names every key the relation owns. */
  readonly id: number;
  readonly def: D;
}

export interface CatalogChange<D extends NamedDef = NamedDef> {
  readonly put?: readonly D[];
  readonly delete?: readonly string[];
}

export class CatalogPart<D extends NamedDef> {
  private readonly byName = new Map<string, StoredDef<D>>();
  private readonly byId = new Map<number, StoredDef<D>>();
  /** Ids handed out to puts not yet durable, so two quick puts of one new name agree on its id. */
  private readonly pendingIds = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly ctx: StoreContext) {}

  async load(): Promise<void> {
    for await (const [key, bytes] of scan(this.ctx, { gte: metaKey('next_relation_id'), lte: metaKey('next_relation_id') })) {
      this.nextId = parseJson<number>(this.ctx, key, bytes);
    }
    for await (const [key, bytes] of scan(this.ctx, namespaceRange(NS.catalog))) {
      const stored = parseJson<StoredDef<D>>(this.ctx, key, bytes);
      if (stored.def?.name !== catalogKeyName(key) || !Number.isInteger(stored.id)) {
        throw new StorageError('corrupt', `data directory ${this.ctx.dir} holds a malformed catalog entry ` +
          JSON.stringify(catalogKeyName(key)));
      }
      this.byName.set(stored.def.name, stored);
      this.byId.set(stored.id, stored);
      if (stored.id >= this.nextId) this.nextId = stored.id + 1;
    }
  }

  list(): StoredDef<D>[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  get(name: string): StoredDef<D> | undefined {
    return this.byName.get(name);
  }

  getById(id: number): StoredDef<D> | undefined {
    return this.byId.get(id);
  }

  /**
   * The write ops of a catalog change, and what to apply in memory once they are durable. A put of an existing name
   * keeps its id (ALTER); a put of a new name gets the next id. Deleting a name that does not exist is a bug.
   */
  prepare(change: CatalogChange<D>): { ops: WriteOp[]; stored: StoredDef<D>[]; removed: StoredDef<D>[]; apply: () => void } {
    const ops: WriteOp[] = [];
    const removed: StoredDef<D>[] = [];
    for (const name of change.delete ?? []) {
      const old = this.byName.get(name);
      if (old === undefined) throw internalError(`deleteDef: no relation named ${JSON.stringify(name)}`);
      removed.push(old);
      ops.push(del(catalogKey(name)));
    }
    const stored: StoredDef<D>[] = [];
    let allocated = false;
    for (const def of change.put ?? []) {
      const deleting = change.delete?.includes(def.name) ?? false;
      let id = deleting ? undefined : this.byName.get(def.name)?.id ?? this.pendingIds.get(def.name);
      if (id === undefined) {
        if (this.nextId > MAX_RELATION_ID) throw internalError('relation ids exhausted');
        id = this.nextId++;
        allocated = true;
        this.pendingIds.set(def.name, id);
      }
      const s: StoredDef<D> = { id, def };
      stored.push(s);
      ops.push(putJson(catalogKey(def.name), s));
    }
    if (allocated) ops.push(putJson(metaKey('next_relation_id'), this.nextId));
    const apply = (): void => {
      for (const r of removed) {
        if (this.byName.get(r.def.name)?.id === r.id) this.byName.delete(r.def.name);
        this.byId.delete(r.id);
      }
      for (const s of stored) {
        this.byName.set(s.def.name, s);
        this.byId.set(s.id, s);
        if (this.pendingIds.get(s.def.name) === s.id) this.pendingIds.delete(s.def.name);
      }
    };
    return { ops, stored, removed, apply };
  }

  /** Deletes everything a relation id owns, in chunks: nothing can see it any more, so it need not be atomic. */
  async purge(id: number): Promise<number> {
    let n = 0;
    for (const ns of PER_RELATION_NAMESPACES) n += await deleteRange(this.ctx, prefixRange(relationPrefix(ns, id)));
    return n;
  }

  /** Ids that own data but have no catalog entry: left behind by a crash in the middle of a purge. */
  async orphanIds(): Promise<number[]> {
    const orphans = new Set<number>();
    for (const ns of PER_RELATION_NAMESPACES) {
      const range = namespaceRange(ns);
      let from = range.gte;
      for (;;) {
        let id: number | undefined;
        for await (const k of scanKeys(this.ctx, { gte: from, lt: range.lt, limit: 1 })) id = keyRelationId(k);
        if (id === undefined) break;
        if (!this.byId.has(id) && ![...this.pendingIds.values()].includes(id)) orphans.add(id);
        if (id >= MAX_RELATION_ID) break;
        from = relationPrefix(ns, id + 1);
      }
    }
    return [...orphans].sort((a, b) => a - b);
  }
}
