// Where file connectors may read and write: nowhere without --file-connector-dir (42501, as PostgreSQL refuses
// COPY FROM a server file to a role without pg_read_server_files), and with it only under that directory, symlinks
// followed: a matching file that leads outside is not read, a sink directory that leads outside is not written.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withServerAndClient } from '../../helpers/server';
import { waitForValue } from '../../helpers/wait';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-files-root-'));
const OUTSIDE = mkdtempSync(join(tmpdir(), 'sluice-files-outside-'));
after(() => {
  rmSync(ROOT, { recursive: true, force: true });
  rmSync(OUTSIDE, { recursive: true, force: true });
});

async function refused(query: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(query, (e: { code: string; message: string }) => {
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('a server without --file-connector-dir', () => {
  const fx = withServerAndClient();

  test('refuses file sources and sinks with 42501', async () => {
    await refused(fx.pg.query(`CREATE STREAM f (id int) WITH (connector = 'file', path = '${ROOT}/*.csv')`),
      '42501', /connector = 'file' is not enabled on this server/);
    await fx.pg.query('CREATE STREAM s (id int)');
    await refused(fx.pg.query(`CREATE SINK o FROM s WITH (connector = 'file', path = '${ROOT}/out')`),
      '42501', /connector = 'file' is not enabled on this server/);
  });
});

describe('a server with --file-connector-dir', () => {
  const fx = withServerAndClient({ args: ['--file-connector-dir', ROOT] });

  test('a matching file that is a symlink leading outside is not read; the others are', async () => {
    const dir = join(ROOT, 'in');
    mkdirSync(dir);
    writeFileSync(join(OUTSIDE, 'secret.csv'), '666\n');
    symlinkSync(join(OUTSIDE, 'secret.csv'), join(dir, 'a.csv'));
    writeFileSync(join(dir, 'b.csv'), '1\n');
    await fx.pg.query(`CREATE STREAM ids (id int)
      WITH (connector = 'file', path = '${dir}/*.csv', format = 'csv', poll_interval = '50 milliseconds', retention = '1 day')`);
    // b.csv comes after a.csv: once its row is in, a.csv was passed over.
    const rows = await waitForValue(async () => (await fx.pg.query('SELECT id FROM ids')).rows, (r) => r.length > 0, 'b.csv read');
    assert.deepEqual(rows, [{ id: 1 }]);
  });

  test('a sink directory that is a symlink leading outside is not written: the sink waits with the error', async () => {
    symlinkSync(OUTSIDE, join(ROOT, 'out'));
    await fx.pg.query('CREATE STREAM events (id int)');
    await fx.pg.query(`CREATE SINK events_out FROM events WITH (connector = 'file', path = '${ROOT}/out', roll_bytes = '1')`);
    await fx.pg.query('INSERT INTO events VALUES (1)');
    const sink = await waitForValue(
      async () => (await fx.pg.query(`SELECT state, last_error FROM sluice.sources WHERE name = 'events_out'`)).rows[0],
      (r) => r?.state === 'waiting' && r.last_error !== null, 'the sink waiting');
    assert.match(sink.last_error, /leads outside --file-connector-dir/);
    assert.deepEqual(readdirSync(OUTSIDE).filter((n) => n.startsWith('events_out')), []);
  });
});
