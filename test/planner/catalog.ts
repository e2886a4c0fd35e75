// A small in-memory catalog for planner tests: streams with and without retention and watermarks, tables, a
// continuous query, a sink and one system view.

import type { RelationDef } from '../../engine/catalog';
import { T, type Field, type Schema, type SqlType } from '../../engine/types';
import type { PlanContext, PlannerCatalog } from '../../planner/context';
import { serverSetting } from '../../server/session/settings';

const f = (name: string, type: SqlType, nullable = true): Field => ({ name, type, nullable });
const base = { definition: '', createdAt: '2026-01-01T00:00:00.000Z' };

const RELATIONS: readonly RelationDef[] = [
  {
    kind: 'stream', name: 'orders', ...base, options: {},
    columns: [f('order_id', T.int8, false), f('customer', T.text), f('amount', T.float8), f('ts', T.timestamptz, false)],
    watermark: { column: 'ts', delayMicros: 5_000_000 },
  },
  {
    kind: 'stream', name: 'payments', ...base, options: {},
    columns: [f('order_id', T.int8, false), f('paid', T.float8), f('ts', T.timestamptz, false)],
    watermark: { column: 'ts', delayMicros: 1_000_000 },
  },
  {
    kind: 'stream', name: 'clicks', ...base, options: { retention: '10 minutes' },
    columns: [f('user_id', T.int8), f('url', T.text), f('n', T.int4), f('ts', T.timestamptz, false)],
    watermark: null,
  },
  {
    kind: 'table', name: 'customers', ...base, options: {}, primaryKey: ['id'],
    columns: [f('id', T.int8, false), f('name', T.text), f('region', T.text), f('tier', T.int4)],
  },
  {
    kind: 'table', name: 'products', ...base, options: {}, primaryKey: ['sku'],
    columns: [f('sku', T.text, false), f('price', T.numeric), f('attrs', T.jsonb), f('label', { name: 'varchar', length: 20 }), f('added', T.date), f('small', T.int2)],
  },
  {
    kind: 'query', name: 'revenue', ...base, options: {},
    columns: [f('customer', T.text), f('revenue', T.float8)],
    select: 'SELECT customer, sum(amount) AS revenue FROM orders GROUP BY customer',
    emit: 'changes', triggerIntervalMs: 1000, dependsOn: ['orders'], materializedView: false,
  },
  { kind: 'sink', name: 'revenue_out', ...base, options: {}, from: 'revenue' },
];

const SYSTEM_VIEWS: Readonly<Record<string, Schema>> = {
  'sluice.queries': [f('name', T.text, false), f('status', T.text, false), f('epoch', T.int8, false)],
};

export const testCatalog: PlannerCatalog = {
  relation: (name) => RELATIONS.find((r) => r.name === name),
  systemView: (schema, name) => SYSTEM_VIEWS[`${schema}.${name}`],
};

export function testContext(paramTypes: readonly SqlType[] = []): PlanContext {
  return { paramTypes, user: 'alice', database: 'sluice', now: () => new Date(Date.UTC(2026, 0, 1)), serverSetting };
}
