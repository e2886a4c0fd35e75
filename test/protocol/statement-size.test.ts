// The statement size limit (server/execute/statement-size.ts): SQL text over it answers 54000 with the size and the
// limit, through the simple and the extended protocol, and the connection goes on; text within it runs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withServerAndClient } from '../helpers/server';

const MB = 1024 * 1024;

/** A SELECT of one string literal whose whole text is exactly `bytes` bytes long. */
function statementOf(bytes: number): string {
  const head = "SELECT length('";
  const tail = "') AS n";
  return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
}

async function refusedWithSize(query: Promise<unknown>, bytes: number, limit: number): Promise<void> {
  await assert.rejects(query, (e: unknown) => {
    const err = e as { code?: string; message?: string };
    assert.equal(err.code, '54000', err.message);
    assert.equal(err.message, `statement of ${bytes} bytes exceeds the maximum of ${limit} bytes`);
    return true;
  });
}

describe('the default limit, 16 MB', () => {
  const fx = withServerAndClient();

  test('a 17 MB statement answers 54000 (simple and extended protocol); the connection goes on', async () => {
    const big = statementOf(17 * MB);
    await refusedWithSize(fx.pg.query(big), 17 * MB, 16 * MB);
    await refusedWithSize(fx.pg.query({ text: big, values: [] }), 17 * MB, 16 * MB);
    const { rows } = await fx.pg.query('SELECT 1 AS one');
    assert.deepEqual(rows, [{ one: 1 }]);
  });
});

describe('--max-statement-size 1', () => {
  const fx = withServerAndClient({ args: ['--max-statement-size', '1'] });

  test('one byte over 1 MB is refused, the limit itself runs', async () => {
    await refusedWithSize(fx.pg.query(statementOf(MB + 1)), MB + 1, MB);
    const { rows } = await fx.pg.query(statementOf(MB));
    assert.equal(rows[0].n, MB - "SELECT length('') AS n".length);
  });
});
