// Python clients for tests: Debian's packages (python3-psycopg2, python3-psycopg, ...) as /usr/bin/python3 sees them
// (the `python3` on PATH may be another Python without them), installed as test/helpers/debian.ts says.

import { spawnSync } from 'node:child_process';
import { ensureDebianPackage } from './debian';

export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Makes sure `import module` works in Debian's Python, installing `debianPackage` if it may. */
export function ensurePythonModule(module: string, debianPackage: string): void {
  ensureDebianPackage(debianPackage, () => importable(module), `the Python module ${module} in ${DEBIAN_PYTHON}`);
}

function importable(module: string): boolean {
  return spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}
