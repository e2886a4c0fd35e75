// Runs the planner's golden cases: test/planner/cases/*.sql (read from the source tree). Each case is a statement,
// a line `----`, and the expected output up to a blank line: the rendered plan (EXPLAIN lines) or
// `ERROR <sqlstate> at <position>: <message>`. Lines starting with `#` before a statement are comments, or
// directives: `# no-optimize` plans a SELECT without the optimizer; `# params: int4, text` declares $n types.
// SLUICE_UPDATE_GOLDEN=1 rewrites the expected outputs with what the planner now produces (review the diff!).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SqlError } from '../../engine/errors';
import { T, type SqlType, type TypeName } from '../../engine/types';
import { explainPlan } from '../../planner/explain';
import { parseStatement, planQuery, planStatement } from '../../planner/plan';
import { testCatalog, testContext } from './catalog';
import { checkPlan } from './plan-check';
import { renderStatement } from './render';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

interface Case {
  readonly comments: string[];
  readonly sql: string;
  readonly expected: string[];
  readonly line: number;
}

function parseCases(text: string): Case[] {
  const lines = text.split('\n');
  const cases: Case[] = [];
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i].trim() === '') i++;
    if (i >= lines.length) break;
    const comments: string[] = [];
    while (i < lines.length && lines[i].startsWith('#')) comments.push(lines[i++]);
    const line = i + 1;
    const sql: string[] = [];
    while (i < lines.length && lines[i] !== '----') {
      if (lines[i].trim() === '' && sql.length === 0) { i++; continue; }
      sql.push(lines[i++]);
    }
    if (i >= lines.length) {
      if (sql.join('').trim() === '') break;
      throw new Error(`case at line ${line}: missing ----`);
    }
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') expected.push(lines[i++]);
    cases.push({ comments, sql: sql.join('\n').trim(), expected, line });
  }
  return cases;
}

function formatCase(c: Case, actual: string[]): string {
  return [...c.comments, c.sql, '----', ...actual].join('\n');
}

function run(c: Case): string[] {
  const directive = (name: string): string | undefined =>
    c.comments.map((x) => /^#\s*(\S+):?\s*(.*)$/.exec(x)).find((m) => m !== null && m[1].replace(/:$/, '') === name)?.[2];
  const params = directive('params');
  const paramTypes: SqlType[] = params === undefined || params === '' ? [] : params.split(',').map((t) => T[t.trim() as TypeName]);
  const ctx = testContext(paramTypes);
  try {
    const ast = parseStatement(c.sql);
    if (directive('no-optimize') !== undefined) {
      const s = ast.statement;
      if (s.kind !== 'query' && s.kind !== 'explain') throw new Error('no-optimize applies to SELECT and EXPLAIN only');
      const plan = planQuery(s.query, testCatalog, ctx, { mode: 'pull', optimize: false }).plan;
      checkPlan(plan);
      return explainPlan(plan);
    }
    const planned = planStatement(ast, testCatalog, ctx);
    if (planned.kind === 'select' || planned.kind === 'create_query') checkPlan(planned.plan);
    if (planned.kind === 'insert') checkPlan(planned.source);
    return renderStatement(planned);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return [`ERROR ${e.code}${e.position === undefined ? '' : ` at ${e.position}`}: ${e.message}`];
  }
}

const dir = path.join(repoRoot(), 'test', 'planner', 'cases');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
const update = process.env.SLUICE_UPDATE_GOLDEN === '1';

test('planner case files exist', () => {
  assert.ok(files.length > 0, `no .sql case files in ${dir}`);
});

for (const file of files) {
  const full = path.join(dir, file);
  const cases = parseCases(fs.readFileSync(full, 'utf8'));
  if (update) {
    const out = cases.map((c) => formatCase(c, run(c))).join('\n\n') + '\n';
    fs.writeFileSync(full, out);
  }
  test(file, async (t) => {
    assert.ok(cases.length > 0, `${file} has no cases`);
    for (const c of cases) {
      await t.test(`line ${c.line}: ${c.sql.split('\n')[0].slice(0, 60)}`, () => {
        assert.deepEqual(run(c), c.expected);
      });
    }
  });
}
