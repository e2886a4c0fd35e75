// CREATE / ALTER / DROP ROLE (and their USER and GROUP spellings) as PostgreSQL 15's grammar writes them. The
// caller has read CREATE, ALTER or DROP; here starts the ROLE, USER or GROUP word.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { RoleAlteration, RoleOptions } from '../../engine/roles/role';
import type { Name, StatementAst } from './ast';
import type { Cursor } from './cursor';

/** Whether the next word starts a role statement after CREATE / ALTER / DROP. */
export function startsRole(c: Cursor): boolean {
  return c.isWord('role') || c.isWord('user') || c.isWord('group');
}

export function parseCreateRole(c: Cursor): StatementAst {
  const user = c.next().value === 'user';
  const name = c.expectIdent();
  c.acceptWord('with');
  return { kind: 'create_role', name, options: parseOptions(c), user };
}

export function parseAlterRole(c: Cursor): StatementAst {
  c.next();
  const name = c.expectIdent();
  return { kind: 'alter_role', name, alteration: parseAlteration(c) };
}

export function parseDropRole(c: Cursor): StatementAst {
  c.next();
  const ifExists = c.acceptWord('if', 'exists');
  const names: Name[] = [c.expectIdent()];
  while (c.acceptOp(',')) names.push(c.expectIdent());
  return { kind: 'drop_role', names, ifExists };
}

function parseAlteration(c: Cursor): RoleAlteration {
  if (c.acceptWord('rename')) {
    c.expectWord('to');
    return { kind: 'rename', to: c.expectIdent().name };
  }
  if (c.acceptWord('reset')) {
    if (c.acceptWord('all')) return { kind: 'reset', setting: null };
    return { kind: 'reset', setting: settingName(c) };
  }
  if (c.acceptWord('set')) {
    const setting = settingName(c);
    if (!c.acceptWord('to') && !c.acceptOp('=')) throw c.unexpected();
    if (c.acceptWord('default')) return { kind: 'reset', setting };
    return { kind: 'set', setting, value: settingValue(c) };
  }
  if (c.isWord('in')) throw unsupported('ALTER ROLE ... IN DATABASE is not supported', c.peek().start);
  c.acceptWord('with');
  return { kind: 'options', options: parseOptions(c) };
}

/** A setting's name: a word, possibly dotted (a custom setting such as myapp.x). */
function settingName(c: Cursor): string {
  let name = c.expectAnyName().name;
  while (c.acceptOp('.')) name += `.${c.expectAnyName().name}`;
  return name.toLowerCase();
}

/** A value as SET takes it: a string, a number or a word; a list is joined with ", " as PostgreSQL does. */
function settingValue(c: Cursor): string {
  const values = [oneValue(c)];
  while (c.acceptOp(',')) values.push(oneValue(c));
  return values.join(', ');
}

function oneValue(c: Cursor): string {
  const t = c.peek();
  const negative = c.isOp('-');
  if (negative) c.next();
  const v = c.peek();
  if (v.kind === 'number') return (negative ? '-' : '') + c.next().value;
  if (negative) throw c.unexpected();
  if (v.kind === 'string' || v.kind === 'word' || v.kind === 'quoted') return c.next().value;
  throw c.unexpected(t);
}

type Flag = 'superuser' | 'createRole' | 'createDb' | 'login';

const FLAGS: Readonly<Record<string, readonly [Flag, boolean]>> = {
  superuser: ['superuser', true], nosuperuser: ['superuser', false],
  createrole: ['createRole', true], nocreaterole: ['createRole', false],
  createdb: ['createDb', true], nocreatedb: ['createDb', false],
  login: ['login', true], nologin: ['login', false],
};

/** Options PostgreSQL has and Sluice does not (yet): refused rather than silently ignored. */
const UNSUPPORTED = new Set([
  'inherit', 'noinherit', 'replication', 'noreplication', 'bypassrls', 'nobypassrls', 'connection', 'valid', 'in',
  'role', 'admin', 'sysid', 'unencrypted', 'user',
]);

function parseOptions(c: Cursor): RoleOptions {
  const options: { -readonly [K in keyof RoleOptions]: RoleOptions[K] } = {};
  const seen = new Set<string>();
  for (;;) {
    const t = c.peek();
    if (t.kind !== 'word') break;
    const key = optionKey(c);
    if (key === null) break;
    // PostgreSQL refuses an option given twice, whatever the values: `LOGIN NOLOGIN` is 42601.
    if (seen.has(key)) throw new SqlError(SQLSTATE.syntax_error, 'conflicting or redundant options', { position: t.start + 1 });
    seen.add(key);
    if (key === 'password') options.password = passwordValue(c);
    else {
      const [flag, value] = FLAGS[c.next().value];
      options[flag] = value;
    }
  }
  return options;
}

/** The option the next word starts (consuming ENCRYPTED before PASSWORD), or null at the end of the options. */
function optionKey(c: Cursor): string | null {
  const t = c.peek();
  if (t.value in FLAGS) return FLAGS[t.value][0];
  if (t.value === 'password') return 'password';
  if (t.value === 'encrypted' && c.isWord('password', 1)) {
    c.next();
    return 'password';
  }
  if (UNSUPPORTED.has(t.value)) throw unsupported(`role option ${t.value.toUpperCase()} is not supported`, t.start);
  return null;
}

function passwordValue(c: Cursor): string | null {
  c.expectWord('password');
  if (c.acceptWord('null')) return null;
  return c.expectString().value;
}

function unsupported(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: pos + 1 });
}
