// The web console in a real headless browser (Chromium via puppeteer-core) against a real server: everything a user
// does in the page goes through the REST API, and what psql does shows up in the page.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { connectPg, freshDataDir, startServer, type TestServer } from '../helpers/server';
import { launchBrowser, type Browser, type Page } from '../helpers/browser';
import { apiBase, call } from './client';

// Functions handed to page.evaluate run in the browser, where `document` exists; the build has no DOM types.
declare const document: any;

const OUTPUT_DIR = join(__dirname, '..', '..', '..', 'test-output');
const WAIT = { timeout: 30_000 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const textOf = (page: Page, selector: string): Promise<string | null> =>
  page.evaluate((s: string) => document.querySelector(s)?.textContent ?? null, selector);

/** Waits for `condition` in the page; past the deadline, fails naming `what` and the page's own error line. */
async function waitInPage<A extends unknown[]>(page: Page, what: string, condition: (...args: A) => boolean, ...args: A): Promise<void> {
  try {
    await page.waitForFunction(condition, WAIT, ...args);
  } catch (e) {
    const problem = await textOf(page, '#problem');
    throw new Error(`waiting for ${what}: ${(e as Error).message}; the page says: ${problem || 'nothing wrong'}`);
  }
}

const textIs = (page: Page, selector: string, expected: string): Promise<void> =>
  waitInPage(page, `${selector} to read ${expected}`,
    (s: string, e: string) => document.querySelector(s)?.textContent === e, selector, expected);

async function runInSqlBox(page: Page, sql: string): Promise<void> {
  await page.evaluate(() => {
    document.querySelector('#sql-input').value = '';
    document.querySelector('#sql-output').replaceChildren();
  });
  await page.type('#sql-input', sql);
  await page.click('#sql-run');
  await page.waitForFunction(() => {
    const output = document.querySelector('#sql-output');
    return output.children.length > 0 && output.querySelector('.running') === null;
  }, WAIT);
}

describe('the web console in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pg: Client;
  const pageErrors: string[] = [];

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    // Answers with an error status (the SQL box's error, a route this server lacks) are the page working as meant;
    // any other error the page logs is not.
    page.on('console', (m: { type(): string; text(): string }) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    pg = await connectPg(server);
  });
  after(async () => {
    await pg?.end();
    await browser?.close();
    assert.equal(await server.stop(), 0);
  });

  test('create through the SQL box, watch the DAG and the counts move, pause, take a screenshot', async () => {
    await page.goto(`${apiBase(server)}/`);
    await textIs(page, '[data-kind="queries"] h2', 'Continuous queries (0)');

    await runInSqlBox(page, "CREATE STREAM clicks (user_id BIGINT, url TEXT) WITH (retention = '1 hour'); " +
      "CREATE CONTINUOUS QUERY per_user AS SELECT user_id, count(*) AS n FROM clicks WHERE url <> '' GROUP BY user_id");
    assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('#sql-output .command')].map((e: any) => e.textContent)),
      ['CREATE STREAM', 'CREATE CONTINUOUS QUERY']);

    await page.waitForSelector('[data-object="queries:per_user"]', WAIT);
    await page.waitForSelector('[data-object="streams:clicks"]', WAIT);
    await page.click('[data-object="queries:per_user"]');
    await textIs(page, '#query h2', 'per_user');
    await waitInPage(page, 'the operator DAG', () => document.querySelector('#dag g.operator') !== null);
    const operators = await page.evaluate(() => [...document.querySelectorAll('#dag g.operator')].map((g: any) => g.dataset.operator));
    assert.deepEqual([...operators].sort(), ['Filter', 'HashAggregate', 'Project', 'Source']);
    // Layered from the sources down: the source's box above the aggregate's.
    const top = (operator: string) => page.evaluate((o: string) =>
      document.querySelector(`#dag g.operator[data-operator="${o}"]`).getBoundingClientRect().top, operator);
    assert.ok(await top('Source') < await top('HashAggregate'));

    await pg.query("INSERT INTO clicks VALUES (1, '/a'), (1, '/b'), (2, '/c')");
    await waitInPage(page, 'rows in to reach 3', () => Number(document.querySelector('#query [data-field="rows_in"]')?.textContent) >= 3);
    await waitInPage(page, 'two result rows', () => document.querySelectorAll('#query table.rows tbody tr').length === 2);
    await pg.query("INSERT INTO clicks VALUES (3, '/d')");
    await waitInPage(page, 'rows in to reach 4', () => Number(document.querySelector('#query [data-field="rows_in"]')?.textContent) >= 4);
    // Each operator's own figures, from GET /api/v1/queries/{name}/plan, follow the rows through the DAG.
    await waitInPage(page, 'the Source operator to show 4 rows out',
      () => /out 4\b/.test(document.querySelector('#dag g.operator[data-operator="Source"]')?.textContent ?? ''));
    await waitInPage(page, 'the list to show 4 rows in',
      () => /in 4 /.test(document.querySelector('[data-object="queries:per_user"] .object-figures')?.textContent ?? ''));

    // The pause route answers with the paused query described, its columns read from the catalog mirror, which
    // may be starting (seconds on a loaded machine); the server waits for a starting mirror when stopped, so the
    // test waits for the answer rather than leave it in flight.
    const paused = page.waitForResponse((r) => r.url().endsWith('/api/v1/queries/per_user/pause'), { timeout: 60_000 });
    await page.click('#query button[data-action="pause"]');
    assert.equal((await paused).status(), 200);
    await textIs(page, '[data-object="queries:per_user"] [data-field="status"]', 'paused');
    await textIs(page, '#query [data-field="status"]', 'paused');
    const { rows } = await pg.query("SELECT status FROM sluice.queries WHERE name = 'per_user'");
    assert.deepEqual(rows, [{ status: 'paused' }]);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const screenshot = join(OUTPUT_DIR, 'console.png');
    writeFileSync(screenshot, '');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = readFileSync(screenshot);
    assert.ok(png.length > PNG_SIGNATURE.length, `${screenshot} is empty`);
    assert.deepEqual(png.subarray(0, PNG_SIGNATURE.length), PNG_SIGNATURE);

    assert.deepEqual(pageErrors, []);
  });

  test('the SQL box shows an error with its SQLSTATE and where it points', async () => {
    await runInSqlBox(page, 'SELECT 1;\nSELEC 2');
    assert.equal(await textOf(page, '#sql-output .error p'), 'ERROR 42601: syntax error at or near "SELEC"');
    assert.equal(await textOf(page, '#sql-output .position'), 'LINE 2: SELEC 2\n        ^');
    assert.deepEqual(pageErrors, []);
  });
});

describe('the console files', () => {
  let server: TestServer;
  before(async () => {
    const users = join(freshDataDir(), 'users');
    writeFileSync(users, 'alice:wonderland\n');
    server = await startServer({ args: ['--users', users] });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  test('behind the API\'s Basic auth: 401 with WWW-Authenticate makes the browser ask', async () => {
    for (const path of ['/', '/console/app.js']) {
      const answer = await fetch(`${apiBase(server)}${path}`);
      assert.equal(answer.status, 401, path);
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Basic /);
    }
  });

  test('served with their content types; anything else under /console/ is a 404', async () => {
    const authorization = `Basic ${Buffer.from('alice:wonderland').toString('base64')}`;
    const expected: [string, RegExp][] = [
      ['/', /^text\/html/], ['/console/app.js', /^text\/javascript/], ['/console/style.css', /^text\/css/],
    ];
    for (const [path, type] of expected) {
      const answer = await fetch(`${apiBase(server)}${path}`, { headers: { authorization } });
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type') ?? '', type, path);
      assert.ok((await answer.text()).length > 0, path);
    }
    for (const path of ['/console/nope.js', '/console/..%2Fconsole.ts', '/console/%2e%2e%2fpackage.json', '/console/index.txt']) {
      const answer = await call(server, 'GET', path, { user: 'alice', password: 'wonderland' });
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.error.sqlstate, '42704', path);
    }
  });
});
