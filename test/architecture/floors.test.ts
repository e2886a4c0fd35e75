// The floors rule of docs/architecture.md, checked on the source so that it stays true: server → planner → engine →
// storage, each importing only the floors below it. Reads the TypeScript files themselves (not dist/), so a type-only
// import counts too: a floor that needs a type from above is leaning on it all the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Lowest first: a file may import its own floor and the ones before it. */
const FLOORS = ['storage', 'engine', 'planner', 'server'] as const;
type Floor = (typeof FLOORS)[number];

/** dist/test/architecture → the repository root. */
const ROOT = path.resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier of a file: static imports and exports, dynamic import() and require(). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [/\bfrom\s+'([^']+)'/g, /\bimport\s+'([^']+)'/g, /\bimport\(\s*'([^']+)'\s*\)/g, /\brequire\(\s*'([^']+)'\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]);
  return out;
}

function floorOf(file: string): Floor | null {
  const top = path.relative(ROOT, file).split(path.sep)[0];
  return (FLOORS as readonly string[]).includes(top) ? (top as Floor) : null;
}

/** True when `spec`, imported by `file`, is on a floor above the file's own. */
function goesUp(file: string, spec: string): boolean {
  const from = floorOf(file);
  if (from === null || !spec.startsWith('.')) return false;
  const target = floorOf(path.resolve(path.dirname(file), spec));
  return target !== null && FLOORS.indexOf(target) > FLOORS.indexOf(from);
}

/** `file: specifier` for every import that goes up the floors. */
function upwardImports(): string[] {
  return FLOORS.flatMap((floor) => sourceFiles(path.join(ROOT, floor)).flatMap((file) =>
    specifiers(fs.readFileSync(file, 'utf8')).filter((spec) => goesUp(file, spec))
      .map((spec) => `${path.relative(ROOT, file)}: ${spec}`)));
}

test('the source tree is where this test looks', () => {
  for (const floor of FLOORS) {
    assert.ok(sourceFiles(path.join(ROOT, floor)).length > 0, `no TypeScript files under ${floor}/ at ${ROOT}`);
  }
});

test('each floor imports only the floors below it', () => {
  assert.deepEqual(upwardImports(), []);
});

test('the check sees an upward import when there is one', () => {
  // The scanner and the rule on a made-up storage file: proves the check can fail.
  const file = path.join(ROOT, 'storage', 'example.ts');
  const text = "import type { X } from '../engine/x';\nexport { y } from './y';\nconst z = require('../server/z');";
  assert.deepEqual(specifiers(text).filter((spec) => goesUp(file, spec)), ['../engine/x', '../server/z']);
});
