// Starts the real `sluice` server as a child process for tests, the way users run it: `node dist/server/main.js
// --port 0 --http-port 0 --data-dir <fresh temp dir>`, waiting for its `listening on HOST:PORT` line (which ends
// with `, http on HOST:PORT` when the HTTP API is on). Every server started here is
// killed if the test process exits first, and temp data directories are removed at exit.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Client, type ClientConfig } from 'pg';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** The HTTP API's port, null when the server was started with --http-port off. */
  readonly httpPort: number | null;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything the server wrote to stderr so far (its JSON log lines). */
  stderr(): string;
  /** Everything the server wrote to stdout so far. */
  stdout(): string;
  /** SIGTERM, then waits for the exit; resolves the exit code (128 + signal number if killed by a signal). */
  stop(): Promise<number>;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves the exit code once the process has exited (whoever stopped it). */
  exited(): Promise<number>;
}

export interface StartServerOptions {
  /** Extra command-line arguments (after --port 0 --http-port 0 --data-dir DIR; a later option wins). */
  readonly args?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse a data directory (e.g. to restart on the same data); default: a fresh temp dir. */
  readonly dataDir?: string;
  /** How long to wait for the `listening on` line; default 30 s (a loaded 2-core machine once took over 15 s). */
  readonly startTimeoutMs?: number;
}

const MAIN = join(__dirname, '..', '..', 'server', 'main.js');
const DEFAULT_START_TIMEOUT_MS = 30_000;
const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  tempDirs.push(dir);
  return dir;
}

export async function startServer(opts: StartServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? freshDataDir();
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--http-port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const exit = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 0 : 0));
    });
  });
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));

  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const address = await new Promise<{ host: string; port: number; httpPort: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${startTimeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, startTimeoutMs);
    const check = (): void => {
      const m = /listening on \[?([^\s\]]+?)\]?:(\d+)(?:, http on \S+:(\d+))?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]), httpPort: m[3] === undefined ? null : Number(m[3]) });
      }
    };
    child.stdout!.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });

  return {
    ...address,
    dataDir,
    process: child,
    stderr: () => err,
    stdout: () => out,
    exited: () => exit,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      child.kill(signal);
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A connected node-postgres Client (user "test", database "sluice" unless overridden). */
export async function connectPg(server: Pick<TestServer, 'host' | 'port'>, config: ClientConfig = {}): Promise<Client> {
  const client = new Client({ host: server.host, port: server.port, user: 'test', database: 'sluice', ...config });
  await client.connect();
  return client;
}

export interface ServerWithClient {
  readonly server: TestServer;
  readonly pg: Client;
}

/**
 * Registers hooks that start a server and connect a client to it before the suite's tests, and after them end the
 * client and stop the server, which must exit cleanly (0). The fields are set by the time the tests run.
 */
export function withServerAndClient(options: StartServerOptions = {}): ServerWithClient {
  const fx = {} as { server: TestServer; pg: Client };
  before(async () => {
    fx.server = await startServer(options);
    fx.pg = await connectPg(fx.server);
  });
  after(async () => {
    await fx.pg.end();
    assert.equal(await fx.server.stop(), 0);
  });
  return fx;
}
