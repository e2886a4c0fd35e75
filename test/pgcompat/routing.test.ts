// The routing rule: catalog statements go to the mirror, Sluice's own statements never do.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteForMirror } from '../../server/pgcompat/rewrite';
import { isCatalogStatement } from '../../server/pgcompat/routing';
import { tokenize } from '../../planner/parse/lexer';
import { PSQL15_QUERIES } from './psql15-queries';

const USER_RELATIONS = new Set(['orders', 'customers', 'revenue', 'pg_events']);

const CATALOG: readonly string[] = [
  'SELECT * FROM pg_catalog.pg_class',
  'select relname from pg_class',
  'SELECT oid, typname FROM pg_type WHERE typname = $1',
  'SELECT nspname FROM pg_namespace ORDER BY 1',
  'SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 16384',
  'SELECT datname FROM pg_database',
  'SELECT name, setting FROM pg_settings WHERE name = \'TimeZone\'',
  'SELECT rolname FROM pg_roles',
  'SELECT table_name FROM information_schema.tables WHERE table_schema = \'public\'',
  'SELECT * FROM INFORMATION_SCHEMA.COLUMNS',
  'SELECT * FROM "information_schema"."columns"',
  "SELECT 'orders'::regclass",
  "SELECT 'orders'::pg_catalog.regclass::oid",
  "SELECT CAST('int4' AS regtype)",
  'SELECT format_type(23, -1)',
  "SELECT has_table_privilege('orders', 'SELECT')",
  "SELECT obj_description(16384, 'pg_class')",
  "SELECT to_regclass('orders')",
  'SELECT pg_backend_pid()',
  'SELECT current_schemas(false)',
  '  /* psql */ (SELECT 1 FROM pg_catalog.pg_am)',
  'WITH t AS (SELECT oid FROM pg_class) SELECT count(*) FROM t',
  'UPDATE pg_catalog.pg_class SET relname = \'x\'',
  'DELETE FROM pg_description',
  'DROP TABLE pg_catalog.pg_class',
];

const NOT_CATALOG: readonly string[] = [
  'SELECT * FROM orders',
  'SELECT customer, sum(amount) FROM orders GROUP BY customer',
  'SELECT * FROM sluice.streams',
  'SELECT name, status FROM sluice.queries',
  "SELECT 'pg_class' AS s FROM orders",
  'SELECT 1 -- FROM pg_class',
  'SELECT /* pg_catalog.pg_class */ 1',
  'SELECT $$pg_catalog.pg_type$$',
  "SELECT E'it''s pg_class\\'s'",
  'SELECT * FROM pg_events', // a user stream named like a catalog relation
  // Reads Sluice data: Sluice's planner answers (or refuses) rather than the mirror's empty relations.
  'SELECT c.relname FROM pg_class c JOIN orders o ON true',
  'SELECT order_id, pg_backend_pid() FROM public.orders',
  'SELECT name, obj_description(1) FROM sluice.streams',
  'SELECT version()',
  'SELECT current_database()',
  'SELECT 1',
  "CREATE STREAM pg_stuff (ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1 second')",
  'CREATE CONTINUOUS QUERY q AS SELECT customer, count(*) FROM orders GROUP BY customer',
  "INSERT INTO orders VALUES (1, 'pg_class', 2.5, now())",
  'INSERT INTO orders SELECT * FROM orders',
  'COPY orders FROM STDIN WITH (FORMAT csv)',
  'COPY (SUBSCRIBE TO revenue) TO STDOUT',
  'SET search_path = pg_catalog',
  'SHOW server_version',
  'BEGIN',
  'SHOW STREAMS',
  'EXPLAIN SELECT * FROM orders',
  'DROP STREAM orders',
  '',
];

test('catalog statements are routed to the mirror', () => {
  for (const sql of CATALOG) assert.equal(isCatalogStatement(sql, USER_RELATIONS), true, sql);
});

test('Sluice statements are not', () => {
  for (const sql of NOT_CATALOG) assert.equal(isCatalogStatement(sql, USER_RELATIONS), false, sql);
});

test('every query psql 15 sends for the \\d family is a catalog statement', () => {
  for (const [command, queries] of Object.entries(PSQL15_QUERIES)) {
    for (const q of queries) assert.equal(isCatalogStatement(q, USER_RELATIONS), true, `${command}: ${q.slice(0, 60)}`);
  }
});

test('rewrites touch only tokens, never literals, and map positions back', () => {
  const sql = "SELECT daticulocale, 'version()' AS v, pg_catalog.version(), pg_get_viewdef(1) FROM pg_catalog.pg_database";
  const r = rewriteForMirror(sql, tokenize(sql));
  assert.equal(
    r.text,
    "SELECT datlocale, 'version()' AS v, pg_sluice.version(), pg_sluice.pg_get_viewdef(1) FROM pg_catalog.pg_database",
  );
  // "FROM" is at the same token in both texts.
  assert.equal(r.originalPosition(r.text.indexOf('FROM') + 1), sql.indexOf('FROM') + 1);
  assert.equal(r.originalPosition(1), 1);
  // Inside a replaced token: its start.
  assert.equal(r.originalPosition(r.text.indexOf('datlocale') + 3), sql.indexOf('daticulocale') + 1);
});
