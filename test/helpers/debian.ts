// What tests need from Debian's packages (a Python module, a JDK, a JDBC driver): when it is missing and the tests
// run as root with apt-get, the package is installed; otherwise the test fails, naming the package to install, and
// never skips. apt-get waits for another test's apt-get to let go of the package lock (two test files run at once).

import { execFileSync, spawnSync } from 'node:child_process';

const ensured = new Set<string>();

/** Makes sure `present()` holds, installing `debianPackage` if it may; `what` names the need in the error. */
export function ensureDebianPackage(debianPackage: string, present: () => boolean, what: string): void {
  if (ensured.has(debianPackage)) return;
  if (!present()) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (root && onPath('apt-get')) {
      const apt = (args: string[]) => execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
        stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', debianPackage]);
    }
    if (!present()) throw new Error(`this test needs ${what}: install it with \`apt-get install -y ${debianPackage}\``);
  }
  ensured.add(debianPackage);
}

export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
