// TypeORM (npm typeorm, its postgres driver over node-postgres) against the real server: its schema introspection
// (hasTable, getTable, getTables: information_schema and pg_catalog queries answered by the catalog mirror), a
// Repository saving, updating, finding and removing rows of a Sluice table by its primary key, and a raw query on
// a continuous query.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server';
import { waitForValue } from '../helpers/wait';

/** The part of TypeORM's API used here (typed by hand: the module is required at run time, see loadTypeOrm). */
interface TypeOrm {
  DataSource: new (options: Record<string, unknown>) => DataSource;
  EntitySchema: new (options: Record<string, unknown>) => unknown;
}
interface DataSource {
  initialize(): Promise<DataSource>;
  destroy(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  createQueryRunner(): QueryRunner;
  getRepository(name: string): Repository;
}
interface QueryRunner {
  hasTable(name: string): Promise<boolean>;
  getTable(name: string): Promise<{ name: string; columns: Column[]; primaryColumns: Column[] } | undefined>;
  getTables(names?: string[]): Promise<{ name: string }[]>;
  release(): Promise<void>;
}
interface Column {
  name: string;
  type: string;
  isPrimary: boolean;
  isNullable: boolean;
}
interface Repository {
  save(row: Record<string, unknown>): Promise<Record<string, unknown>>;
  find(options?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  findOneBy(where: Record<string, unknown>): Promise<Record<string, unknown> | null>;
  remove(row: Record<string, unknown>): Promise<unknown>;
}

/** typeorm is a devDependency; a checkout installed before it was added must say so rather than skip. */
function loadTypeOrm(): TypeOrm {
  try {
    return require('typeorm') as TypeOrm;
  } catch (e) {
    throw new Error(`this test needs the npm package typeorm (a devDependency): run \`npm install\`; ${(e as Error).message}`);
  }
}

let server: TestServer;
let dataSource: DataSource;
before(async () => {
  const { DataSource, EntitySchema } = loadTypeOrm();
  server = await startServer();
  const accounts = new EntitySchema({
    name: 'accounts',
    columns: {
      id: { type: 'bigint', primary: true },
      owner: { type: 'text' },
      balance: { type: 'numeric', nullable: true },
    },
  });
  dataSource = new DataSource({
    type: 'postgres', host: server.host, port: server.port, username: 'test', database: 'sluice',
    synchronize: false, entities: [accounts], logging: false,
  });
  await dataSource.initialize();
  await dataSource.query('CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC)');
  await dataSource.query("CREATE STREAM payments (id BIGINT NOT NULL, amount NUMERIC, ts TIMESTAMPTZ NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '1 second')");
  await dataSource.query('CREATE CONTINUOUS QUERY paid AS SELECT id, sum(amount) AS total FROM payments GROUP BY id');
});
after(async () => {
  await dataSource?.destroy();
  assert.equal(await server.stop(), 0, server.stderr());
});

test("TypeORM's introspection describes Sluice's tables and streams", async () => {
  const runner = dataSource.createQueryRunner();
  try {
    assert.equal(await runner.hasTable('accounts'), true);
    assert.equal(await runner.hasTable('payments'), true);
    assert.equal(await runner.hasTable('nosuch'), false);
    const table = await runner.getTable('accounts');
    assert.ok(table, 'getTable finds accounts');
    assert.equal(table.name, 'accounts');
    assert.deepEqual(table.columns.map((c) => [c.name, c.type, c.isPrimary, c.isNullable]), [
      ['id', 'bigint', true, false],
      ['owner', 'text', false, false],
      ['balance', 'numeric', false, true],
    ]);
    assert.deepEqual(table.primaryColumns.map((c) => c.name), ['id']);
    const stream = await runner.getTable('payments');
    assert.deepEqual(stream?.columns.map((c) => [c.name, c.type, c.isNullable]), [
      ['id', 'bigint', false], ['amount', 'numeric', true], ['ts', 'timestamp with time zone', false],
    ]);
    const names = (await runner.getTables()).map((t) => t.name);
    for (const name of ['accounts', 'payments']) assert.ok(names.includes(name), `getTables lists ${name}: ${names.join(', ')}`);
  } finally {
    await runner.release();
  }
});

test('a TypeORM Repository saves, updates, finds and removes rows by primary key', async () => {
  const repo = dataSource.getRepository('accounts');
  await repo.save({ id: '1', owner: 'ann', balance: '12345678901234567890.000000000001' });
  await repo.save({ id: '2', owner: 'bob', balance: null });
  await repo.save({ id: '1', owner: 'ann', balance: '-0.5' });
  assert.deepEqual(await repo.find({ order: { id: 'ASC' } }), [
    { id: '1', owner: 'ann', balance: '-0.5' },
    { id: '2', owner: 'bob', balance: null },
  ]);
  assert.deepEqual(await repo.findOneBy({ owner: 'bob' }), { id: '2', owner: 'bob', balance: null });
  await repo.remove({ id: '2', owner: 'bob', balance: null });
  assert.equal(await repo.findOneBy({ id: '2' }), null);
});

test('a raw TypeORM query reads a continuous query', async () => {
  await dataSource.query('INSERT INTO payments VALUES ($1, $2, $3), ($1, $4, $3)', [7, '0.1', '2024-05-06T07:08:09Z', '99999999999999999999.99']);
  const rows = await waitForValue(
    () => dataSource.query('SELECT id, total FROM paid'), (r) => r.length === 1, 'the continuous query to count the payments');
  assert.deepEqual(rows, [{ id: '7', total: '100000000000000000000.09' }]);
});
