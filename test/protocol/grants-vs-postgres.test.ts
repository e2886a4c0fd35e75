// GRANT / REVOKE and the 42501 they govern, against the real PostgreSQL 15: the same statements on a table, as a
// superuser and as a role with only what was granted to it, answer with the same tags, SQLSTATEs and messages.

import { describe, test } from 'node:test';
import { Client } from 'pg';
import { assertSameAnswers, withPostgresOracle } from '../helpers/postgres-oracle';
import { connectPg } from '../helpers/server';

describe('privileges, Sluice and PostgreSQL 15', () => {
  const fx = withPostgresOracle({
    setup: ['CREATE TABLE gt (id int PRIMARY KEY, v text)', `CREATE USER reader PASSWORD 'reader pw'`],
  });


  test('GRANT and REVOKE decide what a role may do; DROP and CREATE need ownership and CREATE on public', async () => {
    const sluice = await connectPg(fx.sluice, { user: 'reader', password: 'reader pw' });
    const oracle = new Client({ host: '127.0.0.1', port: fx.pg.port, user: 'reader', password: 'reader pw', database: 'postgres' });
    await oracle.connect();
    try {
      const asReader = (sqls: readonly string[]) => assertSameAnswers(sqls, sluice, oracle);
      const asSuperuser = (sqls: readonly string[]) => assertSameAnswers(sqls, fx.client, fx.oracle);
      await asReader([
        'SELECT * FROM gt',
        `INSERT INTO gt VALUES (1, 'a')`,
        'CREATE TABLE mine (id int PRIMARY KEY)',
        'DROP TABLE gt',
        'GRANT SELECT ON gt TO reader',
      ]);
      await asSuperuser([
        'GRANT SELECT ON gt TO reader',
        'GRANT SELECT, INSERT ON TABLE gt TO reader',
        'GRANT SELECT ON nothere TO reader',
        'GRANT SELECT ON gt TO nobody',
        'GRANT CREATE ON SCHEMA public TO reader',
        `INSERT INTO gt VALUES (1, 'a')`,
      ]);
      await asReader([
        'SELECT * FROM gt',
        `INSERT INTO gt VALUES (2, 'b')`,
        `UPDATE gt SET v = 'c' WHERE id = 1`,
        'DELETE FROM gt',
        'CREATE TABLE mine (id int PRIMARY KEY)',
        'DROP TABLE mine',
        'DROP TABLE gt',
      ]);
      await asSuperuser([
        'REVOKE SELECT ON gt FROM reader',
        'GRANT UPDATE, DELETE ON gt TO reader',
        'REVOKE CREATE ON SCHEMA public FROM reader',
      ]);
      await asReader([
        'SELECT * FROM gt',
        // Without SELECT, a WHERE reads what it may not.
        `UPDATE gt SET v = 'd' WHERE id = 1`,
        `UPDATE gt SET v = 'd'`,
        'DELETE FROM gt',
        'CREATE TABLE mine2 (id int PRIMARY KEY)',
      ]);
      await asSuperuser([
        'DROP ROLE reader',
        'REVOKE ALL ON gt FROM reader',
        'DROP ROLE reader',
      ]);
    } finally {
      await sluice.end();
      await oracle.end();
    }
  });
});
