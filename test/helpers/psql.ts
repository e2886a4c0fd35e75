// psql 15 as a subprocess, the way users run it: `psql -X -h HOST -p PORT -U test -d sluice -v ON_ERROR_STOP=1`,
// one -c per command, `input` on its stdin; resolves its exit code and output (killed after 60 s, so a test that
// hangs says so).

import { spawn } from 'node:child_process';

export interface PsqlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PsqlOptions {
  /** `-v VERBOSITY=verbose`: errors print their SQLSTATE, which tests can then check. */
  readonly verbose?: boolean;
  /** `-At`: rows only, unaligned, one per line. */
  readonly tuplesOnly?: boolean;
  /**
   * libpq connection parameters (`host=localhost sslmode=verify-full ...`): the server is reached through a
   * connection string with these, the port, user and database filled in, instead of -h / -p / -U / -d.
   */
  readonly conninfo?: string;
}

export function psql(
  server: { host: string; port: number }, commands: readonly string[], input = '', options: PsqlOptions = {},
): Promise<PsqlResult> {
  const verbosity = options.verbose ? ['-v', 'VERBOSITY=verbose'] : [];
  const format = options.tuplesOnly ? ['-At'] : [];
  const target = options.conninfo === undefined
    ? ['-h', server.host, '-p', String(server.port), '-U', 'test', '-d', 'sluice']
    : [`port=${server.port} user=test dbname=sluice connect_timeout=10 ${options.conninfo}`];
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', ...target, '-v', 'ON_ERROR_STOP=1', ...verbosity, ...format,
      ...commands.flatMap((c) => ['-c', c])], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGPASSWORD: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
