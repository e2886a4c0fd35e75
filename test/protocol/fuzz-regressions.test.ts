// Sessions the protocol fuzzer (bench/fuzz/) found answered with an internal error, each reduced to what caused it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { withServerAndClient } from '../helpers/server';
import { errorFields, RawClient } from '../helpers/raw-client';

const ctx = withServerAndClient();

test('a Parse declaring a parameter type OID Sluice has no type for resolves it from context (seed 7, connection 24021)', async () => {
  await ctx.pg.query('CREATE TABLE typed_param (k BIGINT PRIMARY KEY, v TEXT)');
  await ctx.pg.query("INSERT INTO typed_param VALUES (1, 'one'), (2, 'two')");
  const { client } = await RawClient.session(ctx.server);
  try {
    // 1047 is 23 (int4) with one bit flipped, as the fuzzer sent it.
    client.send(
      serialize.parse({ text: 'SELECT v FROM typed_param WHERE k = $1', types: [1047] }),
      serialize.bind({ values: ['2'] }), serialize.execute({}), serialize.sync(),
    );
    const replies = await client.readUntil('Z');
    const error = replies.find((m) => m.type === 'E');
    assert.equal(error, undefined, error === undefined ? '' : JSON.stringify(errorFields(error)));
    const rows = replies.filter((m) => m.type === 'D');
    assert.equal(rows.length, 1);
    assert.match(rows[0].body.toString('latin1'), /two/);
  } finally {
    client.close();
  }
});
