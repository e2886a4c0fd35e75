// The client examples of docs/subscribe.md ("Clients"), run as they are, one per language: psql, node (postgres.js),
// node (postgres.js; pg with pg-copy-streams), Python (psycopg2 copy_expert, psycopg 3 copy) and Java (pgJDBC
// CopyManager, compiled at test time). Each follows
// a table live and sees rows another session INSERTs as they commit; then, killed and restarted with from_epoch =
// the last epoch it saw, it receives exactly the changes it missed, then live ones again, nothing twice. And the doc
// shows each program whole, as it is in docs/examples/.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { compileWithPgJdbc } from '../helpers/java';
import { DEBIAN_PYTHON, ensurePythonModule } from '../helpers/python';
import { startServer, connectPg, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DOCS = join(__dirname, '..', '..', '..', 'docs');
const EXAMPLES = join(DOCS, 'examples');

let server: TestServer;
let sql: Client;

before(async () => {
  server = await startServer();
  sql = await connectPg(server);
});

after(async () => {
  await sql?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

/** A running example: the lines it printed so far. */
class Example {
  private out = '';
  private err = '';
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.err += s));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve((this.exitCode = code))));
  }

  /** What it printed so far and how it ended, for a failure message. */
  describe(): string {
    const ended = this.exitCode === undefined ? 'still running' : `exited with ${this.exitCode}`;
    return `${ended}; printed so far: ${JSON.stringify(this.out)}, stderr: ${this.err}`;
  }

  /** Fails at once if the program has exited: a wait for it to subscribe would only time out. */
  assertRunning(): void {
    assert.equal(this.exitCode, undefined, `the example ended early: ${this.describe()}`);
  }

  get lines(): string[] {
    return this.out.split('\n').slice(0, -1);
  }

  async waitLines(n: number, what: string): Promise<string[]> {
    await waitFor(() => this.lines.length >= n, `${what} (${this.describe()})`, 30_000);
    return this.lines;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

async function subscriptions(relation: string): Promise<number> {
  return Number((await sql.query('SELECT count(*) AS n FROM sluice.subscriptions WHERE relation = $1', [relation])).rows[0].n);
}

/** `id,note,sluice_epoch,sluice_diff` → its parts, the epoch as a number. */
function parse(line: string): { row: string; epoch: number; diff: string } {
  const [id, note, epoch, diff] = line.split(',');
  return { row: `${id},${note}`, epoch: Number(epoch), diff };
}

type Launch = (host: string, port: string, relation: string, fromEpoch?: string) => ChildProcess;

function launcher(command: string, leading: readonly string[]): Launch {
  return (...args) => spawn(command, [...leading, ...args.filter((a): a is string => a !== undefined)], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function followAndResume(relation: string, launch: Launch): Promise<void> {
  await sql.query(`CREATE TABLE ${relation} (id BIGINT PRIMARY KEY, note TEXT)`);
  const start = async (fromEpoch?: string): Promise<Example> => {
    const example = new Example(launch(server.host, String(server.port), relation, fromEpoch));
    await waitFor(async () => {
      example.assertRunning();
      return (await subscriptions(relation)) === 1;
    }, () => `${relation}: the example subscribed (${example.describe()})`, 30_000);
    return example;
  };

  const live = await start();
  await sql.query(`INSERT INTO ${relation} VALUES (1, 'one')`);
  await live.waitLines(1, 'the first insert');
  await sql.query(`INSERT INTO ${relation} VALUES (2, 'two')`);
  const seen = (await live.waitLines(2, 'the second insert')).map(parse);
  assert.deepEqual(seen.map((l) => [l.row, l.diff]), [['1,one', '1'], ['2,two', '1']]);
  assert.ok(seen[0].epoch < seen[1].epoch);
  await live.stop();
  await waitFor(async () => (await subscriptions(relation)) === 0, `${relation}: the subscription freed`);

  // Missed while no one listened: an insert and a delete, two epochs.
  await sql.query(`INSERT INTO ${relation} VALUES (3, 'three')`);
  await sql.query(`DELETE FROM ${relation} WHERE id = 1`);
  const resumed = await start(String(seen[1].epoch));
  const missed = (await resumed.waitLines(2, 'the missed changes')).map(parse);
  assert.deepEqual(missed.map((l) => [l.row, l.diff]), [['3,three', '1'], ['1,one', '-1']]);
  assert.ok(seen[1].epoch < missed[0].epoch && missed[0].epoch < missed[1].epoch);
  await sql.query(`INSERT INTO ${relation} VALUES (4, 'four')`);
  const all = (await resumed.waitLines(3, 'a live change after the replay')).map(parse);
  assert.deepEqual(all.map((l) => [l.row, l.diff]), [['3,three', '1'], ['1,one', '-1'], ['4,four', '1']]);
  assert.ok(missed[1].epoch < all[2].epoch);
  await resumed.stop();
}

describe('the examples of docs/subscribe.md follow a table live and resume from an epoch', () => {
  test('psql', () => followAndResume('psql_rows', launcher('sh', [join(EXAMPLES, 'subscribe.sh')])));

  test('node: postgres.js', () => followAndResume('node_rows', launcher(process.execPath, [join(EXAMPLES, 'subscribe.mjs')])));

  test('node: pg with pg-copy-streams', () => followAndResume('pg_rows', launcher(process.execPath, [join(EXAMPLES, 'subscribe-pg.mjs')])));

  test('Python: psycopg2 copy_expert', () => {
    ensurePythonModule('psycopg2', 'python3-psycopg2');
    return followAndResume('psycopg2_rows', launcher(DEBIAN_PYTHON, [join(EXAMPLES, 'subscribe_psycopg2.py')]));
  });

  test('Python: psycopg 3 copy', () => {
    ensurePythonModule('psycopg', 'python3-psycopg');
    return followAndResume('psycopg_rows', launcher(DEBIAN_PYTHON, [join(EXAMPLES, 'subscribe_psycopg.py')]));
  });

  test('Java: pgJDBC CopyManager', () => {
    const java = compileWithPgJdbc(join(EXAMPLES, 'Subscribe.java'));
    return followAndResume('java_rows', launcher('java', ['-cp', java.classpath, java.mainClass]));
  });
});

test('docs/subscribe.md shows each example exactly as the tests run it', () => {
  const doc = readFileSync(join(DOCS, 'subscribe.md'), 'utf8');
  const fences: Record<string, string> = { 'subscribe.sh': 'sh', 'subscribe.mjs': 'js', 'subscribe-pg.mjs': 'js', 'subscribe_psycopg2.py': 'python', 'subscribe_psycopg.py': 'python', 'Subscribe.java': 'java' };
  for (const [file, language] of Object.entries(fences)) {
    const block = `\`\`\`${language}\n${readFileSync(join(EXAMPLES, file), 'utf8')}\`\`\`\n`;
    assert.ok(doc.includes(block), `docs/subscribe.md should show docs/examples/${file} whole, in a ${language} block`);
  }
});
