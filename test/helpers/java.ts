// Java clients for tests: Debian's JDK (javac) and pgJDBC (/usr/share/java/postgresql.jar), installed as
// test/helpers/debian.ts says; a program is compiled from its source at test time.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ensureDebianPackage, onPath } from './debian';

export const PGJDBC_JAR = '/usr/share/java/postgresql.jar';

/** Compiles `source` (one public class) against pgJDBC; resolves the classpath to run it with. */
export function compileWithPgJdbc(source: string): { readonly classpath: string; readonly mainClass: string } {
  ensureDebianPackage('default-jdk-headless', () => onPath('javac') && onPath('java'), 'a JDK (javac and java)');
  ensureDebianPackage('libpostgresql-jdbc-java', () => existsSync(PGJDBC_JAR), `pgJDBC at ${PGJDBC_JAR}`);
  const out = mkdtempSync(join(tmpdir(), 'sluice-java-'));
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
  execFileSync('javac', ['-cp', PGJDBC_JAR, '-d', out, source], { stdio: 'pipe' });
  return { classpath: `${out}:${PGJDBC_JAR}`, mainClass: basename(source, '.java') };
}
