// Python clients for tests: Debian's packages (python3-psycopg2, ...) as /usr/bin/python3 sees them (the `python3`
// on PATH may be another Python without them). A missing package is installed with apt-get when running as root;
// otherwise the test fails, naming the package to install, never skips.

import { execFileSync, spawnSync } from 'node:child_process';

export const DEBIAN_PYTHON = '/usr/bin/python3';

const checked = new Set<string>();

/** Makes sure `import module` works in Debian's Python, installing `debianPackage` if it may. */
export function ensurePythonModule(module: string, debianPackage: string): void {
  if (checked.has(module)) return;
  if (!importable(module)) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (root && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0) {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-qq', debianPackage], {
        stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    }
    if (!importable(module)) {
      throw new Error(`this test needs the Python module ${module} in ${DEBIAN_PYTHON}: install it with \`apt-get install -y ${debianPackage}\``);
    }
  }
  checked.add(module);
}

function importable(module: string): boolean {
  return spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}
