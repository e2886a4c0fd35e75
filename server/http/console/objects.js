// The lists of streams, tables, continuous queries and sinks, each from GET /api/v1/{kind}, with their status.

import { api } from './api.js';
import { h, replace } from './dom.js';

const KINDS = [
  { kind: 'streams', title: 'Streams' },
  { kind: 'tables', title: 'Tables' },
  { kind: 'queries', title: 'Continuous queries' },
  { kind: 'sinks', title: 'Sinks' },
];

/** Every kind's items, by kind. */
export async function fetchObjects() {
  const lists = await Promise.all(KINDS.map(({ kind }) => api('GET', `/api/v1/${kind}`)));
  return Object.fromEntries(KINDS.map(({ kind }, i) => [kind, lists[i].items]));
}

/**
 * What an object's status is: a query's own; else its connector's state (Kafka, files, ...); an object without a
 * connector takes INSERTs and has no state to show beyond being there.
 */
function statusOf(item) {
  if (typeof item.status === 'string') return item.status;
  if (item.connector_state) return String(item.connector_state.state);
  return 'ready';
}

function figures(kind, item) {
  if (kind === 'queries') return `in ${item.rows_in} · out ${item.rows_out} · lag ${item.lag ?? '–'}`;
  return item.connector ? `connector ${item.connector}` : '';
}

/** Draws the lists into `container`; clicking a continuous query calls `onSelect(name)`. */
export function renderObjects(container, objects, selected, onSelect) {
  replace(container, KINDS.map(({ kind, title }) => h('section', { class: 'kind', 'data-kind': kind },
    h('h2', {}, `${title} (${objects[kind].length})`),
    objects[kind].length === 0 ? h('p', { class: 'empty' }, 'none') : h('ul', {}, objects[kind].map((item) => {
      const name = String(item.name);
      const status = statusOf(item);
      const selectable = kind === 'queries';
      return h('li', {
        class: selectable && name === selected ? 'selected' : undefined,
        'data-object': `${kind}:${name}`,
        onclick: selectable ? () => onSelect(name) : undefined,
      },
      h('span', { class: 'object-name' }, name),
      h('span', { class: `status status-${status}`, 'data-field': 'status' }, status),
      h('span', { class: 'object-figures' }, figures(kind, item)));
    })))));
}
