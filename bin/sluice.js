#!/usr/bin/env node
// The `sluice` command: runs the compiled server (npm install builds it via `prepare`).
require('../dist/server/main.js');
