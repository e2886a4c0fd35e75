// The catalog mirror: an embedded, in-memory PostgreSQL (PGlite) in which every Sluice stream, table and continuous
// query exists as an empty relation with the same name and columns. psql's \d family and BI tools' catalog queries
// use hundreds of PostgreSQL features; rather than re-implement them, catalog statements run there and their results
// pass through to the client as text.
//
// PGlite costs seconds and hundreds of MB to start (docs/compatibility.md has the figures), so it starts on the first
// catalog statement, or earlier in the background through warm(); a server that never sees a catalog statement never
// pays. It runs in a worker thread (mirror-thread.ts), so neither its start nor a heavy catalog query blocks the
// server's event loop; a thread that failed or crashed is replaced on the next catalog statement. All use of PGlite
// is serialized here (it is one single-user backend), so a sync is always applied before the statements after it.

import type { RelationDef } from '../../engine/catalog';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { PreparedStatement } from '../backend';
import { silentLogger, type Logger } from '../log';
import { dropStatement, mirrorObjectOf, type MirrorObject } from './mirror-ddl';
import { withPrivileges } from './mirror-privileges';
import { createRoleStatements, dropRoleStatement, MIRROR_ROLE } from './mirror-roles';
import type { RoleDef } from '../../engine/roles/role';
import { prepareInMirror } from './mirror-statement';
import { MirrorThread, type MirrorDatabase } from './mirror-thread';
import { rewriteForMirror } from './rewrite';
import { catalogStatementKind, isCatalogStatement } from './routing';
import { explainedStatementStart } from './call-check';
import { tokenize, type Token } from '../../planner/parse/lexer';
import { DEFAULT_SYSTEM_VIEWS, type SystemViewDef } from './system-views';

export const DEFAULT_SERVER_VERSION = '15.0 (Sluice 0.1.0)';

export interface CatalogMirrorOptions {
  readonly log?: Logger;
  /** Where to cache the initialised PGlite template (e.g. inside the data directory); saves ~2.5 s per start. */
  readonly cacheDir?: string;
  /** server_version as current_setting() shows it; default `15.0 (Sluice 0.1.0)`. */
  readonly serverVersion?: string;
  /** What version() returns; default `PostgreSQL ` + serverVersion. */
  readonly versionString?: string;
  /** The columns of the sluice.* system views; default the ones of SQL.md. */
  readonly systemViews?: readonly SystemViewDef[];
  /** How long one catalog statement may hold the (shared) mirror; default CATALOG_STATEMENT_TIME_LIMIT_MS. */
  readonly statementTimeLimitMs?: number;
}

/** Far above any catalog query a tool sends (milliseconds), short enough that a runaway one frees the mirror soon. */
export const CATALOG_STATEMENT_TIME_LIMIT_MS = 10_000;

export interface MirrorStartup {
  readonly startupMs: number;
  readonly templateFromCache: boolean;
}

export class CatalogMirror {
  private readonly log: Logger;
  private readonly options: CatalogMirrorOptions;
  /** The objects Sluice has, by name: what the mirror must show. */
  private desired = new Map<string, MirrorObject>();
  /** Names of every user relation (including sinks), for the routing rule. */
  private userNames: ReadonlySet<string> = new Set();
  /** The objects that exist in PGlite now. */
  private readonly applied = new Map<string, MirrorObject>();
  private dirty = false;
  /**
   * Each definition's mirror object, built once: definitions are immutable (a change is a new object), and every
   * DDL statement syncs the whole catalog, so rebuilding them all would make each CREATE cost the catalog's size.
   */
  private readonly objectCache = new WeakMap<RelationDef, MirrorObject | null>();
  private thread: MirrorThread | null = null;
  private starting: Promise<MirrorThread> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private startupInfo: MirrorStartup | null = null;
  private readonly failedObjects = new Map<string, string>();
  /** Roles: what the mirror must show and what PGlite has, each as its CREATE statements. */
  private desiredRoles = new Map<string, readonly string[]>();
  private readonly appliedRoles = new Map<string, readonly string[]>();

  constructor(options: CatalogMirrorOptions = {}) {
    this.options = options;
    this.log = (options.log ?? silentLogger).child({ component: 'catalog-mirror' });
  }

  /** The objects Sluice has now (after every DDL and at startup); applied before the next catalog statement runs. */
  sync(defs: readonly RelationDef[]): void {
    const desired = new Map<string, MirrorObject>();
    for (const def of defs) {
      let obj = this.objectCache.get(def);
      if (obj === undefined) this.objectCache.set(def, (obj = withPrivileges(mirrorObjectOf(def), def)));
      if (obj !== null) desired.set(obj.name, obj);
    }
    this.desired = desired;
    this.userNames = new Set(defs.map((d) => d.name));
    this.dirty = true;
  }

  /** The roles Sluice has now; applied, like objects, before the next catalog statement. */
  syncRoles(roles: readonly RoleDef[]): void {
    // The mirror's own role (which owns every object) already exists and is a superuser.
    this.desiredRoles = new Map(roles.filter((r) => r.name !== MIRROR_ROLE).map((r) => [r.name, createRoleStatements(r)]));
    this.dirty = true;
  }

  /** The routing rule (routing.ts), knowing the user's relation names. `tokens` are those of `sql`. */
  isCatalogStatement(sql: string, tokens: readonly Token[]): boolean {
    return isCatalogStatement(sql, this.userNames, tokens);
  }

  /**
   * Prepares one catalog statement (one statement, already split) in the mirror. Throws SqlError. `tokens`: the
   * tokens of `sql` when the caller has lexed it already.
   */
  async prepare(
    sql: string, paramTypeOids: readonly number[], tokens: readonly Token[] = tokenize(sql),
  ): Promise<PreparedStatement> {
    const kind = catalogStatementKind(tokens);
    if (kind === 'write') {
      throw new SqlError(SQLSTATE.insufficient_privilege, 'permission denied: the system catalogs are read-only in Sluice', {
        hint: 'pg_catalog and information_schema describe Sluice objects; change them with Sluice DDL.',
      });
    }
    if (kind === 'other') {
      throw new SqlError(SQLSTATE.feature_not_supported, 'only SELECT statements can read the system catalogs in Sluice');
    }
    return prepareInMirror((fn) => this.run(fn), sql, rewriteForMirror(sql, tokens), paramTypeOids, explainedStatementStart(tokens),
      this.options.statementTimeLimitMs ?? CATALOG_STATEMENT_TIME_LIMIT_MS);
  }

  /** Starts PGlite in the background, so the first catalog statement does not wait. Never throws. */
  warm(): void {
    this.run(async () => undefined).catch((e: unknown) => this.log.warn('catalog mirror failed to start', { error: e }));
  }

  /** Startup figures once started; null before. */
  get startup(): MirrorStartup | null {
    return this.startupInfo;
  }

  /** Objects the mirror could not create (name → PostgreSQL's error), e.g. a name PostgreSQL cannot hold. */
  get failures(): ReadonlyMap<string, string> {
    return this.failedObjects;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const starting = this.starting;
    this.starting = null;
    const thread = this.thread ?? (starting ? await starting.catch(() => null) : null);
    this.thread = null;
    if (thread !== null) await thread.close();
  }

  /** Runs `fn` with exclusive use of the started mirror, after applying pending syncs. */
  private run<T>(fn: (db: MirrorDatabase) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.closed) throw new SqlError(SQLSTATE.admin_shutdown, 'the catalog is shutting down');
      const db = await this.ensureStarted();
      if (this.dirty) await this.applyPending(db);
      return fn(db);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private ensureStarted(): Promise<MirrorThread> {
    if (this.thread !== null && !this.thread.stopped) return Promise.resolve(this.thread);
    if (this.thread !== null) this.log.warn('catalog mirror thread stopped; starting a new one');
    this.thread = null;
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<MirrorThread> {
    const began = performance.now();
    const serverVersion = this.options.serverVersion ?? DEFAULT_SERVER_VERSION;
    const thread = new MirrorThread({
      cacheDir: this.options.cacheDir,
      serverVersion,
      versionString: this.options.versionString ?? `PostgreSQL ${serverVersion}`,
      systemViews: this.options.systemViews ?? DEFAULT_SYSTEM_VIEWS,
    }, this.log);
    try {
      const { templateFromCache } = await thread.ready;
      this.thread = thread;
      this.starting = null;
      this.applied.clear();
      this.appliedRoles.clear();
      this.dirty = true;
      this.startupInfo = { startupMs: Math.round(performance.now() - began), templateFromCache };
      this.log.info('catalog mirror started', { ...this.startupInfo });
      return thread;
    } catch (e) {
      this.starting = null; // the next catalog statement tries again
      const message = e instanceof Error ? e.message : String(e);
      throw new SqlError(SQLSTATE.cannot_connect_now, `the system catalog is not available: ${message}`);
    }
  }

  /**
   * Makes PGlite hold exactly the desired objects and roles: drops the objects that went or changed, applies the
   * roles (before objects, whose owners and grants name them), then creates what is new.
   */
  private async applyPending(db: MirrorDatabase): Promise<void> {
    this.dirty = false;
    const desired = this.desired;
    const sameObject = (a: MirrorObject, b: MirrorObject): boolean =>
      a.kind === b.kind && a.create.length === b.create.length && a.create.every((s, i) => s === b.create[i]);
    for (const [name, obj] of [...this.applied]) {
      const want = desired.get(name);
      if (want !== undefined && sameObject(want, obj)) continue;
      await this.dropObject(db, name, obj);
    }
    const dropped = await this.applyRoles(db);
    for (const [name, obj] of [...this.applied]) {
      if (obj.roles?.some((r) => dropped.has(r)) === true) await this.dropObject(db, name, obj);
    }
    for (const [name, obj] of desired) {
      if (this.applied.has(name)) continue;
      if (await this.execDdl(db, name, obj.create)) this.applied.set(name, obj);
    }
  }

  private async dropObject(db: MirrorDatabase, name: string, obj: MirrorObject): Promise<void> {
    await this.execDdl(db, name, [dropStatement(obj)]);
    this.applied.delete(name);
  }

  /** Resolves with the roles dropped (and perhaps created again, with a new OID). */
  private async applyRoles(db: MirrorDatabase): Promise<Set<string>> {
    const dropped = new Set<string>();
    const desired = this.desiredRoles;
    const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
    for (const [name, create] of [...this.appliedRoles]) {
      const want = desired.get(name);
      if (want !== undefined && same(want, create)) continue;
      await this.execDdl(db, `role ${name}`, [dropRoleStatement(name)]);
      this.appliedRoles.delete(name);
      dropped.add(name);
    }
    for (const [name, create] of desired) {
      if (this.appliedRoles.has(name)) continue;
      const [role, ...settings] = create;
      if (!(await this.execDdl(db, `role ${name}`, [role]))) continue;
      this.appliedRoles.set(name, create);
      // One by one: a value PostgreSQL would refuse (Sluice checks fewer settings) costs that setting, not the role.
      for (const setting of settings) await this.execDdl(db, `role ${name} setting`, [setting]);
    }
    return dropped;
  }

  private async execDdl(db: MirrorDatabase, name: string, statements: readonly string[]): Promise<boolean> {
    try {
      // One query string: an implicit transaction, so an object is created with all its comments or not at all.
      await db.exec(statements.join(';\n'));
      this.failedObjects.delete(name);
      return true;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.failedObjects.set(name, message);
      this.log.warn('catalog mirror could not apply an object', { name, error: message });
      return false;
    }
  }
}
