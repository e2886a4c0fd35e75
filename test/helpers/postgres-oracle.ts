// A real PostgreSQL 15 beside a real Sluice server, for tests that take PostgreSQL's answer as the expected one: the
// same statements go to both through node-postgres, and what each client sees is compared.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Client } from 'pg';
import { findPgBin, startPgCluster, type PgCluster } from '../../bench/postgres/cluster';
import { startServer, type TestServer } from './server';

export interface PostgresOracle {
  readonly pg: PgCluster;
  readonly sluice: TestServer;
  /** Connected to PostgreSQL. */
  readonly oracle: Client;
  /** Connected to Sluice. */
  readonly client: Client;
}

export interface OracleOptions {
  /** Statements run on both, in order, before the tests (the same data in each). */
  readonly setup?: readonly string[];
  /** The database name Sluice's client asks for (Sluice has one; some tests name it as a client would). */
  readonly database?: string;
}

/**
 * Registers before / after hooks that start both servers, connect a client to each and run `setup` on both; the
 * returned object's fields are set by the time the file's tests run. Without PostgreSQL's binaries the hook fails
 * loudly: the tests never pass by skipping.
 */
export function withPostgresOracle(options: OracleOptions = {}): PostgresOracle {
  const fx = {} as { -readonly [K in keyof PostgresOracle]: PostgresOracle[K] };
  before(async () => {
    const bin = findPgBin();
    if (!('dir' in bin)) throw new Error(`PostgreSQL 15 is needed as the oracle: ${bin.reason}`);
    fx.pg = await startPgCluster(bin.dir);
    fx.sluice = await startServer();
    fx.oracle = await fx.pg.connect();
    fx.client = new Client({ host: fx.sluice.host, port: fx.sluice.port, user: 'test', database: options.database ?? 'test' });
    await fx.client.connect();
    for (const sql of options.setup ?? []) {
      await fx.oracle.query(sql);
      await fx.client.query(sql);
    }
  });
  after(async () => {
    await fx.client?.end();
    await fx.oracle?.end();
    await fx.sluice?.stop();
    await fx.pg?.stop();
  });
  return fx;
}

/** What a client learns from one statement: its command tag, or the SQLSTATE and message it failed with. */
export type Answer = { readonly tag: string | null } | { readonly code: string; readonly message: string };

export async function answerOf(client: Client, sql: string): Promise<Answer> {
  try {
    return { tag: (await client.query(sql)).command };
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
}

/** Runs each statement on Sluice and on PostgreSQL, in order, and asserts the two answer alike. */
export async function assertSameAnswers(sqls: readonly string[], sluice: Client, postgres: Client): Promise<void> {
  for (const sql of sqls) assert.deepEqual(await answerOf(sluice, sql), await answerOf(postgres, sql), sql);
}
