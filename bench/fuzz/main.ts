// `npm run fuzz [-- --seed N --frames N --concurrency N --connection I]`: damaged PostgreSQL traffic against a real
// server (run.ts), then the report: frames, errors by SQLSTATE, internal errors, crashes, peak RSS. Exits 1 when
// the server answered with an internal error, logged a bug, died or stopped answering its bystander; the seed and the
// connection index printed then reproduce the failing session alone (`--seed S --connection I`).

import { parseArgs } from 'node:util';
import { startSluiceServer } from '../wire/sluice-server';
import { DEFAULT_OPTIONS, formatReport, passed, runFuzz } from './run';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' }, frames: { type: 'string' }, concurrency: { type: 'string' }, connection: { type: 'string' },
    },
  });
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const frames = Number(values.frames ?? 1_000_000);
  const server = await startSluiceServer();
  try {
    process.stderr.write(`fuzzing sluice (pid ${server.pid}) with seed ${seed} for ${frames} frames\n`);
    const report = await runFuzz(server, {
      ...DEFAULT_OPTIONS, seed, frames,
      concurrency: Number(values.concurrency ?? DEFAULT_OPTIONS.concurrency),
      onlyConnection: values.connection === undefined ? undefined : Number(values.connection),
      onProgress: (r) => process.stderr.write(`  ${r.frames} frames, ${r.connections} connections, RSS ${r.peakRssMb} MB\n`),
    });
    process.stdout.write(formatReport(report) + '\n');
    for (const line of server.bugLines().slice(0, 5)) process.stdout.write(`server log: ${line}\n`);
    return passed(report, server) ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
