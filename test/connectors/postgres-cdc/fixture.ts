// A real PostgreSQL 15 with wal_level = logical beside real Sluice servers, for the postgres-cdc tests. Without
// PostgreSQL's binaries the hook fails loudly: the tests never pass by skipping.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { findPgBin, startPgCluster, type PgCluster } from '../../../bench/postgres/cluster';
import { waitForValue } from '../../helpers/wait';

export interface CdcFixture {
  readonly pg: PgCluster;
  /** Connected to PostgreSQL (reconnect after pg.restart()). */
  upstream: Client;
}

export function withLogicalPostgres(): CdcFixture {
  const fx = {} as { -readonly [K in keyof CdcFixture]: CdcFixture[K] };
  before(async () => {
    const bin = findPgBin();
    if (!('dir' in bin)) throw new Error(`PostgreSQL 15 is needed for postgres-cdc: ${bin.reason}`);
    fx.pg = await startPgCluster(bin.dir, { wal_level: 'logical', max_replication_slots: '10', max_wal_senders: '10' });
    fx.upstream = await fx.pg.connect();
  });
  after(async () => {
    await fx.upstream?.end().catch(() => undefined);
    await fx.pg?.stop();
  });
  return fx;
}

/** The WITH (...) clause of a CDC table reading `table` of the fixture's PostgreSQL. */
export function cdcWith(fx: CdcFixture, table: string, extra = ''): string {
  return `WITH (connector = 'postgres-cdc', hostname = '127.0.0.1', port = '${fx.pg.port}', username = 'postgres', ` +
    `password = '', database = 'postgres', table = '${table}'${extra})`;
}

/** Rows of `sql` as node-postgres parses them (the same parsers on both sides: equal types and text give equal rows). */
export async function rowsOf(c: Client, sql: string): Promise<unknown[]> {
  return (await c.query(sql)).rows;
}

/** Waits until `sql` gives on Sluice the rows `upstreamSql` (the same by default) gives on PostgreSQL. */
export async function waitEqual(sluice: Client, upstream: Client, sql: string, upstreamSql = sql, timeoutMs = 30_000): Promise<void> {
  const want = await rowsOf(upstream, upstreamSql);
  const got = await waitForValue(() => rowsOf(sluice, sql), (rows) => {
    try {
      assert.deepEqual(rows, want);
      return true;
    } catch {
      return false;
    }
  }, `Sluice to give PostgreSQL's rows for ${sql}: ${JSON.stringify(want)}`, timeoutMs);
  assert.deepEqual(got, want);
}

export interface SourceRow { state: string; position: string | null; lag: string; messages: string; last_error: string | null }

export async function sourceOf(c: Client, name: string): Promise<SourceRow | undefined> {
  const r = await c.query('SELECT state, position, lag::text AS lag, messages::text AS messages, last_error FROM sluice.sources WHERE name = $1', [name]);
  return r.rows[0] as SourceRow | undefined;
}
