// Starting the mirror's embedded PostgreSQL (PGlite, in-memory). PGlite always initialises a database called
// `postgres` and cannot be told another name at initdb time, so startup has two phases:
//   1. template: a fresh instance (runs initdb, ~2.5 s) creates database `sluice`, and its data directory is dumped
//      as a tarball (cached on disk when a cache directory is given);
//   2. mirror: an instance loaded from that tarball connects to database `sluice` (~0.7 s), renames the bootstrap
//      superuser to `sluice`, drops database `postgres`, and creates the hidden pg_sluice shim functions and the
//      schema of Sluice's system views.
// With a warm cache only phase 2 runs.

import { PGlite } from '@electric-sql/pglite';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../log';
import { quoteLiteral, systemViewStatements } from './mirror-ddl';
import { SHIM_SCHEMA } from './rewrite';
import { MIRROR_ROLE } from './mirror-roles';
import type { SystemViewDef } from './system-views';

/** The database the mirror shows (current_database(), \l); its role is MIRROR_ROLE. */
export const MIRROR_DATABASE = 'sluice';
const BOOT_ROLE = 'sluice_boot';

const MIRROR_SHARED_BUFFERS = '16MB';

/** Bump when the template's content changes, so a stale cached tarball is not reused. */
const TEMPLATE_FORMAT = 2;

export interface BootOptions {
  readonly log: Logger;
  /** Directory for the cached template tarball; none means build it at every start. */
  readonly cacheDir?: string;
  /** `15.0 (Sluice 0.1.0)`: what server_version shows. */
  readonly serverVersion: string;
  /** What version() returns. */
  readonly versionString: string;
  readonly systemViews: readonly SystemViewDef[];
}

export interface BootedMirror {
  readonly db: PGlite;
  /** Whether phase 1 was skipped thanks to the cache. */
  readonly templateFromCache: boolean;
}

export async function bootMirrorDatabase(options: BootOptions): Promise<BootedMirror> {
  const cached = readCachedTemplate(options);
  const template = cached ?? (await buildTemplate(options));
  const db = new PGlite({
    loadDataDir: template,
    database: MIRROR_DATABASE,
    // The mirror holds only catalogs: a small buffer pool saves ~70 MB of WASM memory and ~0.2 s of startup.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${MIRROR_SHARED_BUFFERS}`],
  });
  try {
    await db.waitReady;
    // The bootstrap superuser (OID 10, `postgres`) becomes `sluice`, so that one role owns everything. PostgreSQL
    // refuses to rename the session user, hence the detour through a role that exists only for this.
    await db.exec(`SET SESSION AUTHORIZATION ${BOOT_ROLE}`);
    await db.exec(`ALTER ROLE postgres RENAME TO ${MIRROR_ROLE}`);
    await db.exec(`SET SESSION AUTHORIZATION ${MIRROR_ROLE}`);
    await db.exec(`DROP ROLE ${BOOT_ROLE}`);
    // DROP DATABASE refuses to run inside the implicit transaction of a multi-statement query: on its own.
    await db.exec('DROP DATABASE IF EXISTS postgres');
    await db.exec(setupSql(options));
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  return { db, templateFromCache: cached !== null };
}

async function buildTemplate(options: BootOptions): Promise<Blob> {
  const db = new PGlite();
  try {
    await db.waitReady;
    await db.exec(`CREATE ROLE ${BOOT_ROLE} SUPERUSER`);
    await db.exec(`CREATE DATABASE ${MIRROR_DATABASE}`);
    await db.exec(`COMMENT ON DATABASE ${MIRROR_DATABASE} IS 'Sluice streaming database'`);
    const blob = await db.dumpDataDir('none');
    writeCachedTemplate(options, blob).catch((e: unknown) => options.log.warn('could not cache the catalog mirror template', { error: e }));
    return blob;
  } finally {
    await db.close();
  }
}

function setupSql(options: BootOptions): string {
  const major = /^(\d+)(?:\.(\d+))?/.exec(options.serverVersion);
  const versionNum = major ? String(Number(major[1]) * 10000 + Number(major[2] ?? 0)) : '150000';
  const s = SHIM_SCHEMA;
  const viewdef = (args: string, call: string, relid: string): string =>
    `CREATE FUNCTION ${s}.pg_get_viewdef(${args}) RETURNS text LANGUAGE sql STABLE STRICT AS $$ ` +
    `SELECT coalesce(${s}.query_select(${relid}), pg_catalog.pg_get_viewdef(${call})) $$;`;
  return [
    // pg_* schema names are reserved; creating one needs this switch, for this statement only.
    'SET allow_system_table_mods = on;',
    `CREATE SCHEMA ${s};`,
    'RESET allow_system_table_mods;',
    `CREATE FUNCTION ${s}.query_select(oid) RETURNS text LANGUAGE sql STABLE STRICT AS $$ ` +
      `SELECT d.description FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_description d ` +
      `ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objsubid = 0 ` +
      `WHERE r.ev_class = $1 AND r.rulename = '_RETURN' $$;`,
    viewdef('oid', '$1', '$1'),
    viewdef('oid, boolean', '$1, $2', '$1'),
    viewdef('oid, integer', '$1, $2', '$1'),
    viewdef('text', '$1', '$1::pg_catalog.regclass'),
    viewdef('text, boolean', '$1, $2', '$1::pg_catalog.regclass'),
    `CREATE FUNCTION ${s}.version() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT ${quoteLiteral(options.versionString)}::text $$;`,
    `CREATE FUNCTION ${s}.current_setting(text) RETURNS text LANGUAGE sql STABLE STRICT AS $$ ` +
      `SELECT CASE pg_catalog.lower($1) WHEN 'server_version' THEN ${quoteLiteral(options.serverVersion)} ` +
      `WHEN 'server_version_num' THEN '${versionNum}' ELSE pg_catalog.current_setting($1) END $$;`,
    `CREATE FUNCTION ${s}.current_setting(text, boolean) RETURNS text LANGUAGE sql STABLE AS $$ ` +
      `SELECT CASE pg_catalog.lower($1) WHEN 'server_version' THEN ${quoteLiteral(options.serverVersion)} ` +
      `WHEN 'server_version_num' THEN '${versionNum}' ELSE pg_catalog.current_setting($1, $2) END $$;`,
    ...systemViewStatements(options.systemViews).map((stmt) => `${stmt};`),
  ].join('\n');
}

function templatePath(options: BootOptions): string | null {
  if (options.cacheDir === undefined) return null;
  return path.join(options.cacheDir, `catalog-mirror-pglite-${pgliteVersion()}-v${TEMPLATE_FORMAT}.tar`);
}

function readCachedTemplate(options: BootOptions): Blob | null {
  const file = templatePath(options);
  if (file === null) return null;
  try {
    return new Blob([fs.readFileSync(file)]);
  } catch {
    return null;
  }
}

async function writeCachedTemplate(options: BootOptions, blob: Blob): Promise<void> {
  const file = templatePath(options);
  if (file === null) return;
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
  await fs.promises.rename(tmp, file);
}

let cachedPgliteVersion: string | undefined;

function pgliteVersion(): string {
  if (cachedPgliteVersion === undefined) {
    try {
      const main = require.resolve('@electric-sql/pglite');
      const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as { version?: string };
      cachedPgliteVersion = pkg.version ?? 'unknown';
    } catch {
      cachedPgliteVersion = 'unknown';
    }
  }
  return cachedPgliteVersion;
}
