// One continuous query in detail: its figures (sluice.queries), its operator DAG, its recent result rows and its
// dead letters, with pause / resume / drop. Everything is read again on each refresh.

import { api, ApiError, pathName, quoteIdent, runSql } from './api.js';
import { drawGraph, formatBytes, graphFromExplain, graphFromPlan } from './dag.js';
import { h, replace, resultTable } from './dom.js';

const RECENT_ROWS = 50;
const DEAD_LETTERS = 50;
const FIGURES = [
  ['status', 'status'], ['epoch', 'epoch'], ['watermark', 'watermark'], ['lag', 'lag'], ['late_rows', 'late rows'],
  ['error_rows', 'error rows'], ['rows_in', 'rows in'], ['rows_out', 'rows out'], ['state_bytes', 'state'],
  ['last_batch_ms', 'last batch (ms)'], ['trigger_interval', 'trigger interval'],
];

function showFigure(key, value) {
  if (value === null || value === undefined) return '–';
  if (key === 'state_bytes') return formatBytes(value);
  if (key === 'last_batch_ms') return Number(value).toFixed(1);
  return String(value);
}

export class QueryPanel {
  /** `onChange()` is called after a button changed something, so the lists refresh at once. */
  constructor(container, onChange) {
    this.container = container;
    this.onChange = onChange;
  }

  /** `query` is the query's item of GET /api/v1/queries (its row of sluice.queries), or null for none. */
  async render(query) {
    if (query === null) {
      replace(this.container, h('p', { class: 'empty' }, 'No continuous query selected: create one, or pick one from the list.'));
      return;
    }
    const name = String(query.name);
    const path = `/api/v1/queries/${pathName(name)}`;
    const [graph, rows, deadLetters] = await Promise.all([
      this.graph(name, path),
      runSql(`SELECT * FROM ${quoteIdent(name)} LIMIT ${RECENT_ROWS}`).then((r) => r[0], (e) => e),
      api('GET', `/api/v1/dead-letters?source=${pathName(name)}&limit=${DEAD_LETTERS}`),
    ]);
    replace(this.container,
      h('div', { class: 'query-head' },
        h('h2', {}, name),
        this.button('Pause', 'pause', () => api('POST', `${path}/pause`), query.status !== 'running'),
        this.button('Resume', 'resume', () => api('POST', `${path}/resume`), query.status === 'running'),
        this.button('Drop', 'drop', () => confirm(`DROP CONTINUOUS QUERY ${name}?`) && api('DELETE', path), false)),
      h('pre', { class: 'definition' }, String(query.definition)),
      query.last_error ? h('p', { class: 'error' }, `last error: ${query.last_error}`) : null,
      h('dl', { class: 'figures' }, FIGURES.map(([key, label]) => [
        h('dt', {}, label),
        h('dd', { 'data-field': key }, showFigure(key, query[key])),
      ])),
      h('h3', {}, 'Operators'),
      h('div', { class: 'dag-box', id: 'dag' }, drawGraph(graph)),
      h('h3', {}, `Recent rows (at most ${RECENT_ROWS})`),
      rows instanceof ApiError ? h('p', { class: 'error' }, `${rows.sqlstate}: ${rows.message}`)
        : rows.rows.length === 0 ? h('p', { class: 'empty' }, 'no rows yet')
          : resultTable(rows.columns.map((c) => c.name), rows.rows),
      h('h3', {}, `Dead letters (${deadLetters.items.length}${deadLetters.next ? '+' : ''})`),
      deadLetters.items.length === 0 ? h('p', { class: 'empty' }, 'none')
        : resultTable(['at', 'reason', 'error', 'raw'], deadLetters.items.map((d) => [d.at, d.reason, d.error, d.raw])));
  }

  async graph(name, path) {
    try {
      return graphFromPlan(await api('GET', `${path}/plan`));
    } catch (e) {
      // A query that is not running has no live figures (the route answers 409): its operators come from EXPLAIN.
      if (!(e instanceof ApiError)) throw e;
      const [explain] = await runSql(`EXPLAIN CONTINUOUS QUERY ${quoteIdent(name)}`);
      return graphFromExplain(explain.rows.map((r) => String(r[0])));
    }
  }

  button(label, action, run, disabled) {
    return h('button', {
      type: 'button', 'data-action': action, disabled,
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          await run();
        } catch (e) {
          alert(e instanceof ApiError ? `${e.sqlstate}: ${e.message}` : String(e));
        }
        this.onChange();
      },
    }, label);
  }
}
