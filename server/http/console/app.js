// The console's page: the server's status, every object with its status, the selected continuous query in detail,
// and the SQL box, all read again every second through the REST API.

import { api } from './api.js';
import { h, replace } from './dom.js';
import { fetchObjects, renderObjects } from './objects.js';
import { QueryPanel } from './query-panel.js';
import { setUpSqlBox } from './sql-box.js';

const REFRESH_MS = 1000;

const page = {
  status: document.getElementById('server-status'),
  problem: document.getElementById('problem'),
  objects: document.getElementById('objects'),
  query: document.getElementById('query'),
};

// The selected query lives in the address (#query=name), so a reload or a shared link shows the same one.
function selectedQuery() {
  const match = /^#query=(.+)$/.exec(location.hash);
  return match === null ? null : decodeURIComponent(match[1]);
}

// Changing the address refreshes the page (hashchange below).
function select(name) {
  location.hash = `query=${encodeURIComponent(name)}`;
}

const panel = new QueryPanel(page.query, () => refreshSoon());

async function refresh() {
  const [status, objects] = await Promise.all([api('GET', '/api/v1/status'), fetchObjects()]);
  replace(page.status, `Sluice ${status.version} · up ${status.uptime_seconds} s · ` +
    `${status.connections.wire} wire sessions · ${status.connections.http} HTTP requests`);
  // A dropped query, or none picked yet: show the first there is.
  const query = objects.queries.find((q) => q.name === selectedQuery()) ?? objects.queries[0] ?? null;
  renderObjects(page.objects, objects, query?.name ?? null, select);
  await panel.render(query);
}

// One refresh at a time; a change made in the page (a button, the SQL box) asks for the next one now.
let timer = null;
let running = false;
let again = false;

async function refreshSoon() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  clearTimeout(timer);
  try {
    await refresh();
    replace(page.problem);
  } catch (e) {
    replace(page.problem, h('p', { class: 'error' }, `refresh failed: ${e.sqlstate ? `${e.sqlstate}: ` : ''}${e.message}`));
  }
  running = false;
  if (again) {
    again = false;
    refreshSoon();
  } else {
    timer = setTimeout(refreshSoon, REFRESH_MS);
  }
}

window.addEventListener('hashchange', refreshSoon);
setUpSqlBox(document.getElementById('sql-form'), document.getElementById('sql-output'), refreshSoon);
refreshSoon();
