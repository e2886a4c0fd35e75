// A continuous query's operator DAG, drawn as SVG with a layered layout: sources on the top layer, each operator one
// layer below its deepest input, edges pointing down the data flow. A graph here is
// { nodes: [{ id, operator, description, figures: { rows_in, rows_out, state_bytes } | null }], edges: [{ from, to }] }
// with `from` the input of `to`.

const SVG = 'http://www.w3.org/2000/svg';
const BOX_WIDTH = 250;
const BOX_HEIGHT = 62;
const GAP_X = 30;
const GAP_Y = 46;
const MARGIN = 12;
const DESCRIPTION_CHARS = 40;

/**
 * The graph from GET /api/v1/queries/{name}/plan: nodes { id, kind, description (the operator's EXPLAIN line),
 * rows_in, rows_out, state_bytes, ... } and edges { from, to, input }. The operator's name is the line's first word,
 * as EXPLAIN prints it (HashAggregate, not the plan kind aggregate).
 */
export function graphFromPlan(plan) {
  const nodes = plan.nodes.map((node) => {
    const [operator, ...rest] = node.description.trim().split(/\s+/);
    return {
      id: String(node.id),
      operator,
      description: rest.join(' ') || operator,
      figures: { rows_in: node.rows_in, rows_out: node.rows_out, state_bytes: node.state_bytes },
    };
  });
  const edges = plan.edges.map((e) => ({ from: String(e.from), to: String(e.to) }));
  return { nodes, edges };
}

/**
 * The graph from EXPLAIN CONTINUOUS QUERY's lines (an operator per line, its inputs indented two spaces below it):
 * the operators without their figures, for a server without the plan route.
 */
export function graphFromExplain(lines) {
  const nodes = [];
  const edges = [];
  const parents = []; // parents[depth] = the id of the last operator seen at that depth
  lines.forEach((line, index) => {
    const depth = Math.floor((line.length - line.trimStart().length) / 2);
    const [operator, ...rest] = line.trim().split(/\s+/);
    const id = String(index);
    nodes.push({ id, operator, description: rest.join(' ') || operator, figures: null });
    if (depth > 0 && parents[depth - 1] !== undefined) edges.push({ from: id, to: parents[depth - 1] });
    parents[depth] = id;
    parents.length = depth + 1;
  });
  return { nodes, edges };
}

/** Layer of each node: 0 for sources, else one more than its deepest input. */
function layers(graph) {
  const inputs = new Map(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) inputs.get(e.to)?.push(e.from);
  const layer = new Map();
  const visiting = new Set();
  const layerOf = (id) => {
    if (layer.has(id)) return layer.get(id);
    if (visiting.has(id)) return 0; // a cycle would be a server bug; draw it rather than loop
    visiting.add(id);
    const below = Math.max(-1, ...inputs.get(id).filter((i) => inputs.has(i)).map(layerOf));
    layer.set(id, below + 1);
    return below + 1;
  };
  graph.nodes.forEach((n) => layerOf(n.id));
  return { layer, inputs };
}

/** x, y of each node's box: layers top to bottom, each layer ordered by where its inputs sit (barycentre). */
function positions(graph) {
  const { layer, inputs } = layers(graph);
  const rows = [];
  for (const n of graph.nodes) (rows[layer.get(n.id)] ??= []).push(n.id);
  const column = new Map();
  for (const row of rows) {
    const centre = (id) => {
      const xs = inputs.get(id).filter((i) => column.has(i)).map((i) => column.get(i));
      return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    row.sort((a, b) => centre(a) - centre(b));
    row.forEach((id, i) => column.set(id, i - (row.length - 1) / 2));
  }
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = widest * BOX_WIDTH + (widest - 1) * GAP_X + 2 * MARGIN;
  const at = new Map();
  for (const [id, c] of column) {
    at.set(id, {
      x: width / 2 + c * (BOX_WIDTH + GAP_X) - BOX_WIDTH / 2,
      y: MARGIN + layer.get(id) * (BOX_HEIGHT + GAP_Y),
    });
  }
  const height = rows.length * BOX_HEIGHT + Math.max(0, rows.length - 1) * GAP_Y + 2 * MARGIN;
  return { at, width, height };
}

function element(name, attributes = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function formatBytes(n) {
  const value = Number(n);
  if (!Number.isFinite(value)) return String(n);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = value;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function figuresLine(figures) {
  if (figures === null) return 'figures: n/a';
  const parts = [];
  if (figures.rows_in !== undefined) parts.push(`in ${figures.rows_in}`);
  if (figures.rows_out !== undefined) parts.push(`out ${figures.rows_out}`);
  if (figures.state_bytes !== undefined) parts.push(`state ${formatBytes(figures.state_bytes)}`);
  return parts.join(' · ');
}

function shorten(text, chars) {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

/** The graph as an <svg>; each operator a <g class="operator" data-operator=...> with its figures. */
export function drawGraph(graph) {
  const { at, width, height } = positions(graph);
  const svg = element('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'dag' });
  const defs = element('defs');
  const marker = element('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
  marker.append(element('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);
  for (const e of graph.edges) {
    const from = at.get(e.from);
    const to = at.get(e.to);
    if (from === undefined || to === undefined) continue;
    const x1 = from.x + BOX_WIDTH / 2;
    const y1 = from.y + BOX_HEIGHT;
    const x2 = to.x + BOX_WIDTH / 2;
    const y2 = to.y;
    const bend = (y2 - y1) / 2;
    svg.append(element('path', { d: `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`, class: 'edge', 'marker-end': 'url(#arrow)' }));
  }
  for (const node of graph.nodes) {
    const { x, y } = at.get(node.id);
    const g = element('g', { class: 'operator', 'data-operator': node.operator, transform: `translate(${x},${y})` });
    g.append(element('title', {}, node.description));
    g.append(element('rect', { width: BOX_WIDTH, height: BOX_HEIGHT, rx: 6 }));
    g.append(element('text', { x: 10, y: 19, class: 'operator-name' }, node.operator));
    g.append(element('text', { x: 10, y: 36, class: 'operator-description' }, shorten(node.description, DESCRIPTION_CHARS)));
    g.append(element('text', { x: 10, y: 53, class: 'operator-figures' }, figuresLine(node.figures)));
    svg.append(g);
  }
  return svg;
}
