// Where file sources and sinks may read and write: only under the server's --file-connector-dir, as PostgreSQL lets
// COPY FROM/TO a server file only those granted pg_read_server_files / pg_write_server_files. Without the option the
// connector is refused; with it, a path is checked as written at CREATE (after resolving . and ..), and again as
// the file system resolves it (symlinks) each time a file is opened or a directory written.

import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { SqlError, SQLSTATE } from '../errors';

export interface FileConnectorSettings {
  /** The directory (absolute) file sources and sinks must stay under; null: connector = 'file' is refused. */
  readonly root: string | null;
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The directory file connectors must stay under; 42501 when the server allows them none. */
export function enabledRoot(settings: FileConnectorSettings): string {
  if (settings.root === null) {
    throw new SqlError(SQLSTATE.insufficient_privilege, 'connector = \'file\' is not enabled on this server', {
      hint: 'Start the server with --file-connector-dir DIR to let file sources and sinks use the files under DIR.',
    });
  }
  return settings.root;
}

/** `path`, resolved, if it is under `root`; 42501 otherwise. */
export function allowedPath(path: string, root: string): string {
  const resolved = resolve(path);
  if (!isUnder(resolved, root)) {
    throw new SqlError(SQLSTATE.insufficient_privilege, `path "${path}" is outside the file connector directory "${root}"`);
  }
  return resolved;
}

/** Whether the existing `path` is under the root once symlinks are followed. */
export async function reallyUnder(path: string, root: string): Promise<boolean> {
  return isUnder(await realpath(path), await realpath(root));
}
