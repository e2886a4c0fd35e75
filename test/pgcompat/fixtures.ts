// Sluice objects as the runtime would hand them to the catalog mirror, and a minimal session for running
// statements outside the wire protocol.

import type { SessionState } from '../../server/backend';
import type { RelationDef } from '../../engine/catalog';
import { T } from '../../engine/types';
import type { CatalogMirror } from '../../server/pgcompat/catalog-mirror';
import type { Value } from '../../engine/types';

const createdAt = '2026-01-01T00:00:00.000Z';

export const ORDERS_DEFINITION =
  "CREATE STREAM orders (order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')";
export const REVENUE_SELECT = 'SELECT customer, sum(amount) AS revenue FROM orders GROUP BY customer';

export const DEFS: readonly RelationDef[] = [
  {
    kind: 'stream',
    name: 'orders',
    definition: ORDERS_DEFINITION,
    createdAt,
    options: {},
    columns: [
      { name: 'order_id', type: T.int8, nullable: false },
      { name: 'customer', type: T.text, nullable: true },
      { name: 'amount', type: T.float8, nullable: true },
      { name: 'ts', type: T.timestamptz, nullable: false },
    ],
    watermark: { column: 'ts', delayMicros: 5_000_000 },
  },
  {
    kind: 'table',
    name: 'customers',
    definition: 'CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, region VARCHAR(20))',
    createdAt,
    options: {},
    columns: [
      { name: 'id', type: T.int8, nullable: false },
      { name: 'name', type: T.text, nullable: true },
      { name: 'region', type: { name: 'varchar', length: 20 }, nullable: true },
    ],
    primaryKey: ['id'],
  },
  {
    kind: 'query',
    name: 'revenue',
    definition: `CREATE CONTINUOUS QUERY revenue AS ${REVENUE_SELECT}`,
    createdAt,
    options: {},
    columns: [
      { name: 'customer', type: T.text, nullable: true },
      { name: 'revenue', type: T.float8, nullable: true },
    ],
    select: REVENUE_SELECT,
    emit: 'changes',
    triggerIntervalMs: 1000,
    dependsOn: ['orders'],
    materializedView: false,
  },
  {
    kind: 'query',
    name: 'big',
    definition: 'CREATE MATERIALIZED VIEW big AS SELECT order_id FROM orders WHERE amount > 100',
    createdAt,
    options: {},
    columns: [{ name: 'order_id', type: T.int8, nullable: false }],
    select: 'SELECT order_id FROM orders WHERE amount > 100',
    emit: 'changes',
    triggerIntervalMs: 1000,
    dependsOn: ['orders'],
    materializedView: true,
  },
  {
    kind: 'sink',
    name: 'big_out',
    definition: "CREATE SINK big_out FROM big WITH (connector = 'kafka', topic = 'big')",
    createdAt,
    options: { connector: 'kafka', topic: 'big' },
    from: 'big',
  },
];

export interface TestSession extends SessionState {
  readonly notices: string[];
}

export function testSession(): TestSession {
  const notices: string[] = [];
  return {
    processId: 1,
    user: 'alice',
    database: 'sluice',
    settings: new Map(),
    transactionStatus: 'I',
    notices,
    notice: (message: string) => notices.push(message),
    parameterStatus: () => {},
    trusted: true,
  };
}

/** Prepares and executes one statement in the mirror; returns its rows (or [] for a command). */
export async function queryMirror(mirror: CatalogMirror, sql: string, params: readonly Value[] = []): Promise<Value[][]> {
  const stmt = await mirror.prepare(sql, []);
  const result = await stmt.execute(testSession(), params, { signal: new AbortController().signal });
  if (result.kind !== 'rows') return [];
  return result.rows.map((r) => [...r]);
}
