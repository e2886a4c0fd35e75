// The durable roles: one JSON record per role name, apart from the relation catalog because a role owns no data (no
// relation id, nothing to purge). Like the catalog it is small, read once at open and served from memory, and a
// change is visible only once it is durable; a rename is a delete and a put in one atomic write.

import { StorageError } from './errors';
import { type StoreContext, del, parseJson, putJson, scan } from './db-io';
import { NS, catalogKeyName, namespaceRange, roleKey } from './keys';
import type { NamedDef } from './catalog-store';

/** A role as storage sees it: JSON with a name (the engine's RoleDef). */
export type RoleRecord = NamedDef & Readonly<Record<string, unknown>>;

export interface RoleChange {
  readonly put?: readonly RoleRecord[];
  readonly delete?: readonly string[];
}

export class RolePart {
  private readonly byName = new Map<string, RoleRecord>();

  constructor(private readonly ctx: StoreContext) {}

  async load(): Promise<void> {
    for await (const [key, bytes] of scan(this.ctx, namespaceRange(NS.role))) {
      const role = parseJson<RoleRecord>(this.ctx, key, bytes);
      // Role keys are [ns][name] like catalog keys, so the same decoding names them.
      if (role?.name !== catalogKeyName(key)) {
        throw new StorageError('corrupt', `data directory ${this.ctx.dir} holds a malformed role ` +
          JSON.stringify(catalogKeyName(key)));
      }
      this.byName.set(role.name, role);
    }
  }

  list(): RoleRecord[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): RoleRecord | undefined {
    return this.byName.get(name);
  }

  /** Deletes, then puts, in one synced write; memory follows once it is durable. */
  async change(change: RoleChange): Promise<void> {
    const ops = [
      ...(change.delete ?? []).map((name) => del(roleKey(name))),
      ...(change.put ?? []).map((role) => putJson(roleKey(role.name), role)),
    ];
    await this.ctx.writer.submit(ops, {
      onDurable: () => {
        for (const name of change.delete ?? []) this.byName.delete(name);
        for (const role of change.put ?? []) this.byName.set(role.name, role);
      },
    });
  }
}
