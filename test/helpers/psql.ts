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
}

export function psql(
  server: { host: string; port: number }, commands: readonly string[], input = '', options: PsqlOptions = {},
): Promise<PsqlResult> {
  const verbosity = options.verbose ? ['-v', 'VERBOSITY=verbose'] : [];
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-h', server.host, '-p', String(server.port), '-U', 'test', '-d', 'sluice',
      '-v', 'ON_ERROR_STOP=1', ...verbosity, ...commands.flatMap((c) => ['-c', c])], {
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
