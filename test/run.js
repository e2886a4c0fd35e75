#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) under node's built-in test runner.
// A file list rather than a directory, because node treats every .js under a `test/` folder as a test file.
// SLUICE_TEST_FILTER=substring narrows the run while developing.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'dist', 'test');
function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}
const filter = process.env.SLUICE_TEST_FILTER;
const files = find(root).filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no test files found under ${root}: run npm run build first`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
