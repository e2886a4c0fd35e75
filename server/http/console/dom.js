// Building the page's HTML: elements from plain data, never from HTML strings (names and values are user data).

/** An element with attributes (`on...` functions become listeners) and children (strings become text). */
export function h(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
  return e;
}

/** A value of a JSON answer as a table cell shows it (NULL as psql's empty, marked). */
export function cell(value) {
  if (value === null || value === undefined) return h('td', { class: 'null' }, 'NULL');
  if (typeof value === 'object') return h('td', {}, JSON.stringify(value));
  return h('td', { class: typeof value === 'number' ? 'number' : undefined }, String(value));
}

/** A result table: column names and rows of values. */
export function resultTable(columnNames, rows) {
  return h('table', { class: 'rows' },
    h('thead', {}, h('tr', {}, columnNames.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map(cell)))));
}

/** Puts `children` in place of what `container` holds. */
export function replace(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
}
