// Session settings (GUCs): the parameters SET / SHOW / RESET know, their defaults, how values are checked and
// normalized, and which are reported to the client (ParameterStatus) when they change. Names are matched
// case-insensitively; the map in SessionState.settings is keyed by lower-case name.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { ServerSetting } from '../../planner/context';
import { sessionZone, timeZoneSetting, type TimeZone } from '../../engine/values/timezone';

export type SettingKind =
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'custom'; readonly normalize: (value: string) => string }
  /** Shown, never set by SET (server_version, ...). */
  | { readonly kind: 'fixed' };

export interface SettingSpec {
  /** The name as PostgreSQL spells it (SHOW's column name, ParameterStatus). */
  readonly name: string;
  readonly defaultValue: string;
  readonly type: SettingKind;
  /** Sent as ParameterStatus at startup and whenever it changes (GUC_REPORT). */
  readonly reported: boolean;
  readonly description: string;
}

const s = (name: string, defaultValue: string, type: SettingKind, description: string, reported = false): SettingSpec =>
  ({ name, defaultValue, type, description, reported });

const STRING: SettingKind = { kind: 'string' };
const BOOL: SettingKind = { kind: 'bool' };
const FIXED: SettingKind = { kind: 'fixed' };
/** A duration setting's units, largest first, in milliseconds (a number without a unit is milliseconds). */
const DURATION_UNITS: readonly [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000],
  ['ms', 1], ['us', 0.001]];
const MAX_DURATION_MS = 2_147_483_647;

/** Rounds half to even, as C's rint() in PostgreSQL's parse_int. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A duration setting: a number of milliseconds or a number with a unit ('5s', '1.5min'), kept as PostgreSQL shows
 * it: whole milliseconds in the largest unit that divides them ('1000' is '1s', '1500us' is '2ms').
 */
const ms = (): SettingKind => ({
  kind: 'custom',
  normalize: (v) => {
    const m = /^(\d+(?:\.\d*)?|\.\d+)\s*(us|ms|s|min|h|d)?$/i.exec(v.trim());
    if (m === null) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter: "${v}"`, {
        hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
      });
    }
    const unit = (m[2] ?? 'ms').toLowerCase();
    const millis = rint(Number(m[1]) * DURATION_UNITS.find(([u]) => u === unit)![1]);
    if (millis > MAX_DURATION_MS) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter: "${v}"`, { hint: 'Value exceeds integer range.' });
    }
    if (millis === 0) return '0';
    const [name, size] = DURATION_UNITS.find(([, size]) => size >= 1 && millis % size === 0)!;
    return `${millis / size}${name}`;
  },
});

/** Milliseconds of a duration setting's value as normalized above ('0', '100ms', '1s', '2min'). */
export function durationMs(value: string): number {
  const m = /^(\d+)([a-z]*)$/.exec(value);
  const unit = DURATION_UNITS.find(([u]) => u === (m?.[2] || 'ms'));
  return m === null || unit === undefined ? 0 : Number(m[1]) * unit[1];
}

const ISOLATION: SettingKind = { kind: 'enum', values: ['serializable', 'repeatable read', 'read committed', 'read uncommitted'] };
const MESSAGE_LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];

function invalid(name: string, value: string, detail?: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": "${value}"`, { detail });
}

/**
 * PostgreSQL reads an encoding name with everything but letters and digits dropped (encnames.c
 * clean_encoding_name), so 'utf-8', UTF_8 and even asyncpg's startup value "'utf-8'" (quotes included) name UTF8.
 */
function normalizeClientEncoding(value: string): string {
  const v = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (v === 'UTF8' || v === 'UNICODE') return 'UTF8';
  if (v === 'SQLASCII') return 'SQL_ASCII';
  throw new SqlError(SQLSTATE.feature_not_supported, `conversion between ${value} and UTF8 is not supported`, {
    detail: 'Sluice speaks UTF8 only.',
  });
}

function normalizeDateStyle(value: string): string {
  let order = 'MDY';
  for (const part of value.split(/[\s,]+/).filter((p) => p !== '')) {
    const p = part.toUpperCase();
    if (p === 'ISO') continue;
    if (p === 'MDY' || p === 'US' || p === 'NONEURO' || p === 'NONEUROPEAN') order = 'MDY';
    else if (p === 'DMY' || p === 'EURO' || p === 'EUROPEAN') order = 'DMY';
    else if (p === 'YMD') order = 'YMD';
    else throw invalid('DateStyle', value, 'Sluice shows dates in ISO style only.');
  }
  return `ISO, ${order}`;
}

function onlyOn(name: string): SettingKind {
  return {
    kind: 'custom',
    normalize: (v) => {
      if (parseBool(v) === 'on') return 'on';
      throw new SqlError(SQLSTATE.feature_not_supported, `Sluice does not support ${name} = ${v}`);
    },
  };
}

function truncateName(v: string): string {
  return Buffer.byteLength(v) <= 63 ? v : Buffer.from(v).subarray(0, 63).toString('utf8').replace(/\uFFFD+$/, '');
}

export const SETTINGS: readonly SettingSpec[] = [
  s('application_name', '', { kind: 'custom', normalize: truncateName }, 'Sets the application name to be reported in statistics and logs.', true),
  s('client_encoding', 'UTF8', { kind: 'custom', normalize: normalizeClientEncoding }, "Sets the client's character set encoding.", true),
  s('DateStyle', 'ISO, MDY', { kind: 'custom', normalize: normalizeDateStyle }, 'Sets the display format for date and time values.', true),
  s('default_transaction_read_only', 'off', BOOL, 'Sets the default read-only status of new transactions.', true),
  s('in_hot_standby', 'off', FIXED, 'Shows whether hot standby is currently active.', true),
  s('integer_datetimes', 'on', FIXED, 'Shows whether datetimes are integer based.', true),
  s('IntervalStyle', 'postgres', { kind: 'enum', values: ['postgres'] }, 'Sets the display format for interval values.', true),
  s('is_superuser', 'on', FIXED, 'Shows whether the current user is a superuser.', true),
  s('server_encoding', 'UTF8', FIXED, 'Shows the server (database) character set encoding.', true),
  s('server_version', '15.0', FIXED, 'Shows the server version.', true),
  s('session_authorization', '', FIXED, 'Sets the session user name.', true),
  s('standard_conforming_strings', 'on', onlyOn('standard_conforming_strings'), "Causes '...' strings to treat backslashes literally.", true),
  s('TimeZone', 'UTC', { kind: 'custom', normalize: timeZoneSetting }, 'Sets the time zone for displaying and interpreting time stamps.', true),
  s('array_nulls', 'on', BOOL, 'Enable input of NULL elements in arrays.'),
  s('backslash_quote', 'safe_encoding', { kind: 'enum', values: ['safe_encoding', 'on', 'off'] }, 'Sets whether "\\\'" is allowed in string literals.'),
  s('block_size', '8192', FIXED, 'Shows the size of a disk block.'),
  s('bytea_output', 'hex', { kind: 'enum', values: ['hex', 'escape'] }, 'Sets the output format for bytea.'),
  s('check_function_bodies', 'on', BOOL, 'Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.'),
  s('client_min_messages', 'notice', { kind: 'enum', values: MESSAGE_LEVELS }, 'Sets the message levels that are sent to the client.'),
  s('cursor_tuple_fraction', '0.1', STRING, "Sets the planner's estimate of the fraction of a cursor's rows that will be retrieved."),
  s('default_table_access_method', 'heap', STRING, 'Sets the default table access method for new tables.'),
  s('default_tablespace', '', STRING, 'Sets the default tablespace to create tables and indexes in.'),
  s('default_text_search_config', 'pg_catalog.english', STRING, 'Sets default text search configuration.'),
  s('default_transaction_deferrable', 'off', BOOL, 'Sets the default deferrable status of new transactions.'),
  s('default_transaction_isolation', 'read committed', ISOLATION, 'Sets the transaction isolation level of each new transaction.'),
  s('escape_string_warning', 'on', BOOL, 'Warn about backslash escapes in ordinary string literals.'),
  s('extra_float_digits', '1', { kind: 'int', min: -15, max: 3 }, 'Sets the number of digits displayed for floating-point values.'),
  s('geqo', 'on', BOOL, 'Enables genetic query optimization.'),
  s('idle_in_transaction_session_timeout', '0', ms(), 'Sets the maximum allowed idle time between queries, when in a transaction.'),
  s('idle_session_timeout', '0', ms(), 'Sets the maximum allowed idle time between queries, when not in a transaction.'),
  s('jit', 'off', BOOL, 'Allow JIT compilation.'),
  s('lc_collate', 'C', FIXED, "Shows the collation order locale."),
  s('lc_ctype', 'C', FIXED, "Shows the character classification and case conversion locale."),
  s('lc_messages', 'C', STRING, 'Sets the language in which messages are displayed.'),
  s('lc_monetary', 'C', STRING, 'Sets the locale for formatting monetary amounts.'),
  s('lc_numeric', 'C', STRING, 'Sets the locale for formatting numbers.'),
  s('lc_time', 'C', STRING, 'Sets the locale for formatting date and time values.'),
  s('lock_timeout', '0', ms(), 'Sets the maximum allowed duration of any wait for a lock.'),
  s('max_identifier_length', '63', FIXED, 'Shows the maximum identifier length.'),
  // psql's \password reads it to hash the new password on the client: only SCRAM verifiers are stored.
  s('password_encryption', 'scram-sha-256', { kind: 'enum', values: ['scram-sha-256'] }, 'Chooses the algorithm for encrypting passwords.'),
  s('plan_cache_mode', 'auto', { kind: 'enum', values: ['auto', 'force_generic_plan', 'force_custom_plan'] }, 'Controls the planner\'s selection of custom or generic plan.'),
  s('quote_all_identifiers', 'off', BOOL, 'When generating SQL fragments, quote all identifiers.'),
  s('row_security', 'on', BOOL, 'Enable row security.'),
  s('search_path', '"$user", public', STRING, 'Sets the schema search order for names that are not schema-qualified.'),
  s('server_version_num', '150000', FIXED, 'Shows the server version as an integer.'),
  s('ssl', 'off', FIXED, 'Enables SSL connections.'),
  s('statement_timeout', '0', ms(), 'Sets the maximum allowed duration of any statement.'),
  s('synchronize_seqscans', 'on', BOOL, 'Enable synchronized sequential scans.'),
  s('synchronous_commit', 'on', { kind: 'enum', values: ['local', 'remote_write', 'remote_apply', 'on', 'off'] }, 'Sets the current transaction\'s synchronization level.'),
  s('timezone_abbreviations', 'Default', STRING, 'Selects a file of time zone abbreviations.'),
  s('transaction_deferrable', 'off', BOOL, 'Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.'),
  s('transaction_isolation', 'read committed', ISOLATION, "Sets the current transaction's isolation level."),
  s('transaction_read_only', 'off', BOOL, "Sets the current transaction's read-only status."),
  s('work_mem', '4MB', STRING, 'Sets the maximum memory to be used for query workspaces.'),
  s('xmloption', 'content', { kind: 'enum', values: ['content', 'document'] }, 'Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.'),
];

const BY_NAME = new Map(SETTINGS.map((spec) => [spec.name.toLowerCase(), spec]));

/** The zone the session's TimeZone setting names: what its statements read and print timestamptz text in. */
export function sessionTimeZone(session: { readonly settings: ReadonlyMap<string, string> }): TimeZone {
  return sessionZone(session.settings.get('timezone') ?? 'UTC');
}

export function findSetting(name: string): SettingSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** A custom ("placeholder") setting: any dotted name, as PostgreSQL allows for extensions. */
export function isCustomSettingName(name: string): boolean {
  return /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)+$/i.test(name);
}

export function parseBool(v: string): 'on' | 'off' | null {
  const t = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't', 'y', 'tr', 'tru', 'ye'].includes(t)) return 'on';
  if (['off', 'false', 'no', '0', 'f', 'n', 'of', 'fa', 'fal', 'fals'].includes(t)) return 'off';
  return null;
}

/**
 * Checks and normalizes `value` for setting `name` (any case). Throws SqlError: 42704 for an unknown name, 55P02
 * for a fixed one, 22023 for a bad value. Returns the lower-case key and the value to store.
 */
export function normalizeSetting(name: string, value: string): { key: string; spec: SettingSpec | null; value: string } {
  const key = name.toLowerCase();
  const spec = findSetting(key);
  if (spec === undefined) {
    if (isCustomSettingName(key)) return { key, spec: null, value };
    throw new SqlError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`);
  }
  const t = spec.type;
  switch (t.kind) {
    case 'string':
      return { key, spec, value };
    case 'fixed':
      throw new SqlError(SQLSTATE.cant_change_runtime_param, `parameter "${spec.name}" cannot be changed`);
    case 'bool': {
      const b = parseBool(value);
      if (b === null) throw new SqlError(SQLSTATE.invalid_parameter_value, `parameter "${spec.name}" requires a Boolean value`);
      return { key, spec, value: b };
    }
    case 'int': {
      const n = Number(value);
      if (!/^\s*[+-]?\d+\s*$/.test(value)) {
        throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${spec.name}": "${value}"`);
      }
      if (n < t.min || n > t.max) {
        throw new SqlError(
          SQLSTATE.invalid_parameter_value,
          `${n} is outside the valid range for parameter "${spec.name}" (${t.min} .. ${t.max})`,
        );
      }
      return { key, spec, value: String(n) };
    }
    case 'enum': {
      const v = value.trim().toLowerCase();
      if (!t.values.includes(v)) {
        throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${spec.name}": "${value}"`, {
          hint: `Available values: ${t.values.join(', ')}.`,
        });
      }
      return { key, spec, value: v };
    }
    case 'custom':
      return { key, spec, value: t.normalize(value) };
  }
}

/** Fixed settings whose value comes from the server or the session's user (SessionFacts), not from the table. */
const FROM_FACTS = new Set(['server_version', 'session_authorization']);

/** A setting's value for current_setting() in a plan (planner/context.ts ServerSetting says which fold). */
export function serverSetting(name: string): ServerSetting {
  const spec = findSetting(name);
  if (spec === undefined) return isCustomSettingName(name) ? { kind: 'per-session' } : { kind: 'unknown' };
  if (spec.type.kind !== 'fixed' || FROM_FACTS.has(spec.name)) return { kind: 'per-session' };
  return { kind: 'server-wide', value: spec.defaultValue };
}

/** The values that are not defaults of the table but of this server and user. */
export interface SessionFacts {
  readonly user: string;
  readonly serverVersion: string;
}

/**
 * The settings of a new session: the defaults, then the StartupMessage's parameters (checked like SET; a name
 * Sluice does not know is kept as given, since drivers send PostgreSQL settings Sluice has no use for).
 */
export function initialSettings(startup: ReadonlyMap<string, string>, facts: SessionFacts): Map<string, string> {
  const settings = new Map<string, string>();
  for (const spec of SETTINGS) settings.set(spec.name.toLowerCase(), spec.defaultValue);
  settings.set('server_version', facts.serverVersion);
  settings.set('session_authorization', facts.user);
  for (const [name, value] of startup) {
    const spec = findSetting(name);
    if (spec === undefined) settings.set(name.toLowerCase(), value);
    else if (spec.type.kind !== 'fixed') settings.set(spec.name.toLowerCase(), normalizeSetting(name, value).value);
  }
  return settings;
}

/** The reported settings, as [PostgreSQL name, value] pairs, for the ParameterStatus messages at startup. */
export function reportedSettings(settings: ReadonlyMap<string, string>): [string, string][] {
  return SETTINGS.filter((spec) => spec.reported).map((spec) => [spec.name, settings.get(spec.name.toLowerCase()) ?? spec.defaultValue]);
}
