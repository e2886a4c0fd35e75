// The `path` of a file source: one directory, and a pattern for the names of the files in it (`*` any run of
// characters but '/', `?` one character, `[abc]` / `[a-z]` one of a set). Wildcards in the directory part are
// refused: a source reads one directory, not a tree. Node 20 has no fs.glob, and one directory needs no library.

import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SqlError, SQLSTATE } from '../errors';

const WILDCARD = /[*?[\]]/;

export class FileGlob {
  private constructor(readonly directory: string, readonly pattern: string, private readonly regex: RegExp) {}

  static parse(path: string): FileGlob {
    const directory = dirname(path);
    const pattern = basename(path);
    if (WILDCARD.test(directory)) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `option path may have wildcards only in its file name: "${path}"`);
    }
    return new FileGlob(directory, pattern, new RegExp(`^${patternSource(pattern, path)}$`));
  }

  matches(name: string): boolean {
    return this.regex.test(name);
  }

  /** The matching files of the directory, by name (a missing directory has none yet). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.filter((n) => this.matches(n)).sort().map((n) => join(this.directory, n));
  }
}

function patternSource(pattern: string, path: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, `option path has an unclosed [ in "${path}"`);
      const set = pattern.slice(i + 1, end);
      const negated = set.startsWith('!');
      out += `[${negated ? '^' : ''}${(negated ? set.slice(1) : set).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}
