// Opens a Sluice database on a data directory and offers it to the protocol layer as a Backend. Each statement
// goes to the first part that takes it: session statements (SET, BEGIN, ...), then catalog statements (the catalog
// mirror), then the planner, whose planned statement the engine executes.

import * as path from 'node:path';
import type { Backend, PreparedStatement, SessionState } from './backend';
import type { Logger } from './log';
import { splitStatements, type StatementText } from '../planner/split';
import { planContinuousSelect } from '../planner/plan';
import type { PlannerCatalog } from '../planner/context';
import { prepareSessionStatement } from './session/statements';
import { prepareSqlPrepared } from './session/sql-prepared';
import { serverSetting } from './session/settings';
import { CatalogMirror } from './pgcompat/catalog-mirror';
import { Store } from '../storage';
import { Runtime } from '../engine/runtime/runtime';
import { systemViewSchema } from '../engine/runtime/system-views';
import type { QueryDef, RelationDef } from '../engine/catalog';
import { toSqlError } from '../engine/errors';
import type { SubscriptionLimits } from '../engine/subscribe/subscription';
import { preparePlanned, type ExecutionTarget } from './execute/planned';
import { SessionTransactions } from './execute/transactions';
import { PlanCache } from './execute/plan-cache';
import { checkStatementSize, DEFAULT_MAX_STATEMENT_MB } from './execute/statement-size';
import { SessionCursors } from './cursors/session-cursors';
import type { MemoryLimits } from '../engine/memory/limit';
import { CursorMemory, DEFAULT_CURSOR_MEMORY_MB } from './cursors/memory';
import { prepareCursorStatement } from './cursors/statements';

export interface SluiceOptions {
  readonly dataDir: string;
  readonly log: Logger;
  /** Bytes all cursors together may hold (their SELECT's rows); default DEFAULT_CURSOR_MEMORY_MB. */
  readonly maxCursorMemoryBytes?: number;
  /** How far a SUBSCRIBE may fall behind; default engine/subscribe/hub.ts DEFAULT_SUBSCRIPTION_LIMITS. */
  readonly subscriptionLimits?: SubscriptionLimits;
  /** What statements and continuous queries may hold (memoryLimits(--memory-limit)); default: the default limit's. */
  readonly memory?: MemoryLimits;
  /** Bytes of SQL text one statement (Query, Parse, HTTP request) may hold; default DEFAULT_MAX_STATEMENT_MB. */
  readonly maxStatementBytes?: number;
  /** The directory file sources and sinks may use (--file-connector-dir); null or absent: they are refused. */
  readonly fileConnectorDir?: string | null;
}

export interface Sluice {
  readonly backend: Backend;
  readonly runtime: Runtime;
  /** Stops the continuous queries, finishes in-flight epochs and closes storage. */
  close(): Promise<void>;
}

export async function openSluice(options: SluiceOptions): Promise<Sluice> {
  const log = options.log.child({ component: 'sluice' });
  const storeLog = log.child({ component: 'storage' });
  const store = await Store.open<RelationDef>(options.dataDir, (message) => storeLog.warn(message));
  const runtime = await Runtime.open(store, log.child({ component: 'runtime' }), options.subscriptionLimits, options.memory,
    { root: options.fileConnectorDir ?? null });
  const catalog: PlannerCatalog = {
    relation: (name) => runtime.def(name),
    systemView: systemViewSchema,
  };
  await startQueries(runtime, catalog, log);

  const mirror = new CatalogMirror({ log, cacheDir: path.join(options.dataDir, 'catalog-mirror') });
  const transactions = new SessionTransactions(runtime);
  const cursors = new SessionCursors(new CursorMemory(options.maxCursorMemoryBytes ?? DEFAULT_CURSOR_MEMORY_MB * 1024 * 1024));
  const target: ExecutionTarget = { runtime, transactions };
  const plans = new PlanCache();
  const maxStatementBytes = options.maxStatementBytes ?? DEFAULT_MAX_STATEMENT_MB * 1024 * 1024;
  runtime.onCatalogChange(() => plans.catalogChanged());
  runtime.onCatalogChange(() => mirror.sync(runtime.defs()));
  runtime.onCatalogChange(() => mirror.syncRoles(runtime.roles.list()));
  mirror.sync(runtime.defs());
  mirror.syncRoles(runtime.roles.list());

  const backend: Backend = {
    async prepare(sql: string, paramTypeOids: readonly number[], session: SessionState): Promise<PreparedStatement[]> {
      checkStatementSize(sql, maxStatementBytes);
      const texts = splitStatements(sql);
      const prepareOne = async (s: StatementText, oids = paramTypeOids): Promise<PreparedStatement> => {
        const sessionStatement = prepareSessionStatement(s.text, s.tokens);
        if (sessionStatement) return cursors.wrap(transactions.wrap(sessionStatement));
        if (mirror.isCatalogStatement(s.text, s.tokens)) return mirror.prepare(s.text, oids, s.tokens);
        return preparePlanned(s, oids, target, catalog, plans, texts.length === 1, session);
      };
      // DECLARE's query and PREPARE's statement are prepared as any statement would be: a SELECT, a catalog query, SHOW.
      return Promise.all(texts.map(async (s) =>
        (await prepareCursorStatement(s, cursors, prepareOne)) ?? (await prepareSqlPrepared(s, prepareOne)) ?? prepareOne(s)));
    },
    sessionClosed(session: SessionState): void {
      transactions.discard(session);
      cursors.closeAll(session);
    },
  };
  log.info('database open', { dataDir: options.dataDir, objects: runtime.defs().length });
  return {
    backend,
    runtime,
    async close() {
      await runtime.close();
      await mirror.close();
      await store.close();
    },
  };
}

/**
 * Re-plans every continuous query from its SQL and starts it from its last committed epoch. A query whose plan can
 * no longer be built (say, after an upgrade) is not run; sluice.queries shows it failed, with the reason.
 */
async function startQueries(runtime: Runtime, catalog: PlannerCatalog, log: Logger): Promise<void> {
  const queries = runtime.defs().filter((d): d is QueryDef => d.kind === 'query');
  for (const def of dependencyOrder(queries)) {
    try {
      const planned = planContinuousSelect(def.select, def.emit, catalog, {
        paramTypes: [], user: 'sluice', database: 'sluice', now: () => new Date(), serverSetting,
      });
      await runtime.startQuery(def, planned.plan);
    } catch (e) {
      const err = toSqlError(e);
      log.error('cannot start continuous query', { query: def.name, error: err.message });
      runtime.failQuery(def, err.message);
    }
  }
}

/** Upstream queries first, so a query never starts before the queries it reads. */
function dependencyOrder(queries: readonly QueryDef[]): QueryDef[] {
  const byName = new Map(queries.map((q) => [q.name, q]));
  const out: QueryDef[] = [];
  const seen = new Set<string>();
  const visit = (q: QueryDef): void => {
    if (seen.has(q.name)) return;
    seen.add(q.name);
    for (const dep of q.dependsOn) {
      const up = byName.get(dep);
      if (up) visit(up);
    }
    out.push(q);
  };
  queries.forEach(visit);
  return out;
}
