// A real PostgreSQL 15 beside a real Sluice server, for tests that take PostgreSQL's answer as the expected one: the
// same statements go to both through node-postgres, and what each client sees is compared.

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
