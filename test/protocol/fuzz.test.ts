// The protocol fuzzer (bench/fuzz/, `npm run fuzz` runs it for a million frames) in a bounded run: a fixed seed, so
// a regression reproduces, and a fresh one each run, printed, so that every run of the suite explores a little more.
// Damaged sessions must never get an internal error, kill the server, or keep another session from answering.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server';
import { DEFAULT_OPTIONS, type FuzzReport, type FuzzTarget, formatReport, passed, runFuzz } from '../../bench/fuzz/run';

const FRAMES_PER_RUN = 4000;

let server: TestServer;
let target: FuzzTarget;

before(async () => {
  server = await startServer({ args: ['--http-port', 'off'] });
  target = {
    host: server.host, port: server.port, pid: server.process.pid!,
    exitCode: () => server.process.exitCode ?? (server.process.signalCode === null ? null : 128),
    bugLines: () => server.stderr().split('\n').filter((line) => line.includes('(a bug)')),
  };
});
after(async () => {
  assert.equal(await server.stop(), 0, server.stderr().slice(-2000));
});

async function fuzz(seed: number): Promise<FuzzReport> {
  const report = await runFuzz(target, { ...DEFAULT_OPTIONS, seed, frames: FRAMES_PER_RUN });
  const text = formatReport(report);
  console.log(text);
  assert.ok(passed(report, target), `seed ${seed} failed (reproduce: npm run fuzz -- --seed ${seed} --connection N):\n${text}\n${target.bugLines().slice(0, 3).join('\n')}`);
  assert.ok(report.frames >= FRAMES_PER_RUN, `the run sent ${report.frames} frames`);
  // The damage must have reached the server: a run whose sessions all went through cleanly tested nothing.
  assert.ok(report.errorsByCode['08P01'] > 0, 'some frames were rejected as protocol violations');
  assert.ok(Object.keys(report.errorsByCode).length > 5, 'errors came from deep in the server, not just the framing');
  return report;
}

test('a fixed seed: no internal error, no crash, the bystander keeps answering', async () => {
  await fuzz(20261205);
});

test('a fresh seed each run (printed, to reproduce with npm run fuzz -- --seed N)', async () => {
  await fuzz(Math.floor(Math.random() * 2 ** 31));
});
