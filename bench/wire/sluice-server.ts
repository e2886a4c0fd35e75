// The real `sluice` server as a child process, the way users run it: `node dist/server/main.js --port 0
// --http-port off --data-dir <fresh dir>`, ready once it prints `listening on HOST:PORT`. Stopped with SIGTERM (then SIGKILL).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { STATEMENT_TIMEOUT_MS } from '../settings';

export interface SluiceServer {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  /** Null while it runs; its exit code (128 + signal when killed) once it has died. */
  exitCode(): number | null;
  /** Lines of its log that report a bug (an internal error): the fuzzer fails on any. */
  bugLines(): string[];
  /** A new node-postgres connection to it (loopback). */
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

const MAIN = join(__dirname, '..', '..', 'server', 'main.js');

/** `args` go after the defaults (a later option wins). */
export async function startSluiceServer(args: readonly string[] = []): Promise<SluiceServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-server-'));
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--http-port', 'off', '--data-dir', dataDir, ...args], {
    env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const bugs: string[] = [];
  let partialLine = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err = (err + s).slice(-4000);
    const lines = (partialLine + s).split('\n');
    partialLine = lines.pop()!;
    bugs.push(...lines.filter((line) => line.includes('(a bug)')));
  });
  const cleanup = (): void => rmSync(dataDir, { recursive: true, force: true });
  try {
    const { host, port } = await listening(child, () => out, () => err);
    return {
      host,
      port,
      pid: child.pid!,
      dataDir,
      exitCode: () => child.exitCode ?? (child.signalCode === null ? null : 128 + (constants.signals[child.signalCode] ?? 0)),
      bugLines: () => bugs,
      async connect(): Promise<Client> {
        const c = new Client({ host, port, user: 'bench', database: 'sluice', query_timeout: STATEMENT_TIMEOUT_MS });
        c.on('error', () => undefined); // a dropped connection fails the statement in flight; that is reported there
        await c.connect();
        return c;
      },
      async stop(): Promise<void> {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
        cleanup();
      },
    };
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    cleanup();
    throw e;
  }
}

function listening(child: ChildProcess, out: () => string, err: () => string): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 20 s'), 20_000);
    const check = (): void => {
      const m = /listening on \[?([^\s\]]+?)\]?:(\d+)/.exec(out());
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]) });
      }
    };
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`sluice server ${why}: ${err().trim().split('\n').slice(-3).join(' | ')}`));
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}
