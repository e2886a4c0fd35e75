// A throwaway PostgreSQL server for the side-by-side runs: Debian's server binaries (initdb, postgres) run as an
// unprivileged user (they refuse root), with their own data directory under /tmp and a free port, default
// settings (so fsync and synchronous_commit are on, as Sluice's acknowledged writes are durable too), and removed
// afterwards.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { sleep } from '../measure/stats';
import { STATEMENT_TIMEOUT_MS } from '../settings';

const BENCH_USER = 'sluice_bench_pg';

export interface PgCluster {
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  connect(database?: string): Promise<Client>;
  /**
   * Stops the server (fast shutdown), runs `whileDown` if given, and starts it again on the same data and port;
   * `pid` is the new one's.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** The directory holding initdb and postgres (15 preferred), or null with the reason it is unusable. */
export function findPgBin(): { dir: string } | { reason: string } {
  const candidates = [process.env.SLUICE_BENCH_PG_BIN, '/usr/lib/postgresql/15/bin',
    ...listVersions().map((v) => `/usr/lib/postgresql/${v}/bin`)].filter((d): d is string => !!d);
  for (const dir of candidates) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return { dir };
  }
  return { reason: 'no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin' };
}

function listVersions(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

/** uid and gid to run PostgreSQL as: a dedicated system user when we are root, else ourselves. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  if (spawnSync('id', ['-u', BENCH_USER]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', BENCH_USER]);
  }
  const uid = Number(execFileSync('id', ['-u', BENCH_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', BENCH_USER], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `settings`: extra server settings (`-c name=value`), e.g. wal_level = logical for change data capture tests. */
export async function startPgCluster(binDir: string, settings: Readonly<Record<string, string>> = {}): Promise<PgCluster> {
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), 'sluice-bench-pg-'));
  if (user) chownSync(root, user.uid, user.gid);
  const data = join(root, 'data');
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8',
    '--locale=C', '--no-sync'], { ...ids, encoding: 'utf8', cwd: root });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(init.stderr || init.stdout || '').trim().split('\n').slice(-2).join(' ')}`);
  }
  const port = await freePort();
  const extra = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  let log = '';
  const launch = (): { child: ChildProcess; exited: Promise<void> } => {
    const child = spawn(join(binDir, 'postgres'), ['-D', data, '-p', String(port), '-k', root,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=20', ...extra], { ...ids, cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (log = (log + s).slice(-4000)));
    return { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
  };
  let server = launch();
  const connect = async (database = 'postgres'): Promise<Client> => {
    const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database, query_timeout: STATEMENT_TIMEOUT_MS });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  const shutdown = async (): Promise<void> => {
    server.child.kill('SIGINT'); // fast shutdown
    const killer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
    await server.exited;
    clearTimeout(killer);
  };
  const stop = async (): Promise<void> => {
    await shutdown();
    rmSync(root, { recursive: true, force: true });
  };
  /** Resolves the server's version once it answers; rejects once it exited or took too long. */
  const ready = async (): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const c = await connect();
        const version = String((await c.query('SHOW server_version')).rows[0].server_version);
        await c.end();
        return version;
      } catch (e) {
        if (attempt > 100 || server.child.exitCode !== null) {
          throw new Error(`PostgreSQL did not start: ${(e as Error).message}; ${log.trim().split('\n').slice(-2).join(' ')}`);
        }
        await sleep(100);
      }
    }
  };
  const restart = async (whileDown?: () => Promise<void>): Promise<void> => {
    await shutdown();
    await whileDown?.();
    // Backends of the old server may still hold its shared memory for a moment: the new one then exits at once.
    for (let attempt = 0; ; attempt++) {
      server = launch();
      try {
        return void (await ready());
      } catch (e) {
        if (attempt >= 20 || server.child.exitCode === null) throw e;
        await sleep(250);
      }
    }
  };
  const version = await ready().catch(async (e) => {
    await stop();
    throw e;
  });
  return { port, get pid() { return server.child.pid!; }, version, connect, restart, stop };
}

/** CPU seconds of a postmaster and its live children, plus what its finished children used (cutime, cstime). */
export function pgTreeCpuSeconds(postmaster: number): () => number {
  return () => {
    let ticks = 0;
    for (const pid of [postmaster, ...childrenOf(postmaster)]) {
      const f = statFields(pid);
      if (!f) continue;
      ticks += Number(f[11]) + Number(f[12]);
      if (pid === postmaster) ticks += Number(f[13]) + Number(f[14]);
    }
    return ticks / 100;
  };
}

/** Memory of a postmaster and its children, as the sum of their proportional set sizes (shared memory once). */
export function pgTreePss(postmaster: number): () => number {
  return () => {
    let kb = 0;
    for (const pid of [postmaster, ...childrenOf(postmaster)]) {
      try {
        const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
        if (m) kb += Number(m[1]);
      } catch {
        // gone
      }
    }
    return kb * 1024;
  };
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === parent) out.push(Number(name));
  }
  return out;
}
