// Changing a session's settings with PostgreSQL's transactional rules: SET inside a transaction block is undone by
// ROLLBACK, SET LOCAL lasts until the block ends, RESET returns to the value the session started with (defaults
// plus StartupMessage parameters). Reported settings announce every change with ParameterStatus.

import type { SessionState } from '../backend';
import { findSetting, normalizeSetting, SETTINGS } from './settings';

interface SettingsState {
  /** What RESET returns to: the settings as the session started. */
  readonly resetValues: ReadonlyMap<string, string>;
  /** Inside a transaction block: the settings at BEGIN (restored by ROLLBACK) and those COMMIT keeps. */
  tx: { readonly atBegin: Map<string, string>; readonly kept: Map<string, string> } | null;
}

const states = new WeakMap<SessionState, SettingsState>();

/** Records the session's starting settings as its RESET values; the protocol layer calls it once, at startup. */
export function registerSession(session: SessionState): void {
  states.set(session, { resetValues: new Map(session.settings), tx: null });
}

function stateOf(session: SessionState): SettingsState {
  let state = states.get(session);
  if (state === undefined) {
    state = { resetValues: new Map(session.settings), tx: null };
    states.set(session, state);
  }
  return state;
}

/** Stores a value and sends ParameterStatus if the setting is reported and its value changed. */
function store(session: SessionState, key: string, value: string): void {
  const before = session.settings.get(key);
  session.settings.set(key, value);
  const spec = findSetting(key);
  if (spec?.reported && before !== value) session.parameterStatus(spec.name, value);
}

export type SetScope = 'session' | 'local';

/** SET name = value (already joined from a value list). Throws SqlError for a bad name or value. */
export function setSetting(session: SessionState, name: string, value: string, scope: SetScope): void {
  const checked = normalizeSetting(name, value);
  const state = stateOf(session);
  if (scope === 'local' && state.tx === null) {
    session.notice('SET LOCAL can only be used in transaction blocks');
    return;
  }
  store(session, checked.key, checked.value);
  if (scope === 'session') state.tx?.kept.set(checked.key, checked.value);
}

/** RESET name / SET name TO DEFAULT. */
export function resetSetting(session: SessionState, name: string, scope: SetScope): void {
  const key = name.toLowerCase();
  const spec = findSetting(key);
  const resetValue = stateOf(session).resetValues.get(key) ?? spec?.defaultValue ?? '';
  // setSetting checks the name (42704 unknown, 55P02 fixed) exactly as SET does.
  setSetting(session, name, resetValue, scope);
}

/** RESET ALL: every changeable setting back to its reset value; custom settings not set at startup vanish. */
export function resetAllSettings(session: SessionState): void {
  const state = stateOf(session);
  for (const key of [...session.settings.keys()]) {
    const spec = findSetting(key);
    if (spec?.type.kind === 'fixed') continue;
    const resetValue = state.resetValues.get(key) ?? spec?.defaultValue;
    if (resetValue === undefined) {
      session.settings.delete(key);
      state.tx?.kept.delete(key);
    } else {
      store(session, key, resetValue);
      state.tx?.kept.set(key, resetValue);
    }
  }
}

export function inTransactionBlock(session: SessionState): boolean {
  return stateOf(session).tx !== null;
}

/** BEGIN: remembers the settings so that ROLLBACK can restore them and COMMIT can drop SET LOCAL changes. */
export function beginSettingsTransaction(session: SessionState): void {
  const state = stateOf(session);
  if (state.tx !== null) return;
  state.tx = { atBegin: new Map(session.settings), kept: new Map(session.settings) };
  // Each transaction starts from the session defaults for its own characteristics.
  store(session, 'transaction_isolation', session.settings.get('default_transaction_isolation') ?? 'read committed');
  store(session, 'transaction_read_only', session.settings.get('default_transaction_read_only') ?? 'off');
  store(session, 'transaction_deferrable', session.settings.get('default_transaction_deferrable') ?? 'off');
}

/** COMMIT keeps plain SETs; ROLLBACK (or COMMIT of a failed block) restores the settings as they were at BEGIN. */
export function endSettingsTransaction(session: SessionState, outcome: 'commit' | 'rollback'): void {
  const state = stateOf(session);
  if (state.tx === null) return;
  const target = outcome === 'commit' ? state.tx.kept : state.tx.atBegin;
  state.tx = null;
  for (const key of [...session.settings.keys()]) if (!target.has(key)) session.settings.delete(key);
  for (const [key, value] of target) store(session, key, value);
}

/** SHOW ALL's rows: every known setting, then custom ones, sorted by name as PostgreSQL does. */
export function allSettings(session: SessionState): [string, string, string][] {
  const rows: [string, string, string][] = SETTINGS.map((spec) => [
    spec.name,
    session.settings.get(spec.name.toLowerCase()) ?? spec.defaultValue,
    spec.description,
  ]);
  for (const [key, value] of session.settings) {
    if (findSetting(key) === undefined && key.includes('.')) rows.push([key, value, '']);
  }
  return rows.sort((a, b) => a[0].toLowerCase().localeCompare(b[0].toLowerCase()));
}
