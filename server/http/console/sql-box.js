// The SQL box: runs its text through POST /api/v1/sql (every statement, in order, in one session) and shows each
// statement's rows or command tag, or the error with its SQLSTATE and, for SQL text, where it points.

import { ApiError, runSql } from './api.js';
import { h, replace, resultTable } from './dom.js';

export function setUpSqlBox(form, output, onRan) {
  const input = form.querySelector('textarea');
  const run = async () => {
    const sql = input.value;
    if (sql.trim() === '') return;
    replace(output, h('p', { class: 'running' }, 'running…'));
    try {
      const results = await runSql(sql);
      replace(output, results.map(showResult));
    } catch (e) {
      replace(output, showError(e, sql));
    }
    onRan();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
}

function showResult(result) {
  return h('div', { class: 'result' },
    h('p', { class: 'command' }, result.command),
    result.columns ? resultTable(result.columns.map((c) => c.name), result.rows) : null);
}

function showError(e, sql) {
  if (!(e instanceof ApiError)) return h('div', { class: 'error' }, String(e));
  return h('div', { class: 'error', 'data-sqlstate': e.sqlstate },
    h('p', {}, `ERROR ${e.sqlstate}: ${e.message}`),
    e.detail ? h('p', {}, `DETAIL: ${e.detail}`) : null,
    e.hint ? h('p', {}, `HINT: ${e.hint}`) : null,
    e.position ? pointAt(sql, e.position) : null);
}

/** The line of `sql` holding the 1-based `position`, with a caret under it, as psql shows it. */
function pointAt(sql, position) {
  const before = sql.slice(0, position - 1);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = sql.indexOf('\n', lineStart);
  const line = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = position - 1 - lineStart;
  return h('pre', { class: 'position', 'data-position': position },
    `LINE ${before.split('\n').length}: ${line}\n${' '.repeat(column + `LINE ${before.split('\n').length}: `.length)}^`);
}
