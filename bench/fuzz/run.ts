// The fuzz run: many connections at once, each a damaged session from its own seeded generator (so one connection
// reproduces alone from the run's seed and its index), a bystander session that must keep answering, and the
// server's memory sampled throughout. What fails a run: an internal error (XX000, or "a bug" in the server's log),
// the server dying, or the bystander not answering.

import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { Prng } from '../nexmark/prng';
import { type ConnectionLimits, runConnection, type ServerError } from './connection';
import { type Mutation, mutateSession } from './mutate';
import { FUZZ_SCHEMA, generateSession } from './sessions';

export interface FuzzTarget {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Null while the server runs; its exit code once it has died. */
  exitCode(): number | null;
  /** Lines of the server's log that report a bug. */
  bugLines(): string[];
}

export interface FuzzOptions {
  readonly seed: number;
  /** Stop once this many frames were sent. */
  readonly frames: number;
  readonly concurrency: number;
  /** The chance that any one frame is damaged. */
  readonly mutationRate: number;
  readonly stepsPerSession: number;
  readonly limits: ConnectionLimits;
  /** How long the bystander's SELECT 1 may take. */
  readonly bystanderDeadlineMs: number;
  /** Only this connection (to reproduce one). */
  readonly onlyConnection?: number;
  readonly onProgress?: (report: FuzzReport) => void;
}

export interface InternalError {
  readonly connection: number;
  readonly error: ServerError;
  /** The damaged session as sent, in hex, for the record. */
  readonly framesHex: string;
}

export interface FuzzReport {
  readonly seed: number;
  frames: number;
  connections: number;
  closedByServer: number;
  readonly errorsByCode: Record<string, number>;
  /** One message the server gave with each SQLSTATE. */
  readonly exampleByCode: Record<string, string>;
  readonly mutations: Partial<Record<Mutation, number>>;
  readonly internalErrors: InternalError[];
  /** The server's exit code if it died during the run. */
  crashed: number | null;
  bystanderFailures: number;
  peakRssMb: number;
  seconds: number;
}

export const DEFAULT_OPTIONS: Omit<FuzzOptions, 'seed' | 'frames'> = {
  // At 24 the 2-core server fell behind and refused two thirds of the connections with 53300 (load shedding, as
  // designed), so the damage reached it less often; 8 keeps every connection admitted.
  concurrency: 8,
  mutationRate: 0.05,
  stepsPerSession: 12,
  limits: { quietMs: 150, maxMs: 10_000 },
  bystanderDeadlineMs: 5_000,
};

export function connectionSeed(seed: number, connection: number): number {
  return (seed ^ Math.imul(connection + 1, 0x9e3779b9)) >>> 0;
}

export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = {
    seed: opts.seed, frames: 0, connections: 0, closedByServer: 0, errorsByCode: {}, exampleByCode: {}, mutations: {},
    internalErrors: [], crashed: null, bystanderFailures: 0, peakRssMb: 0, seconds: 0,
  };
  const started = Date.now();
  const sampler = setInterval(() => (report.peakRssMb = Math.max(report.peakRssMb, rssMb(target.pid))), 250);
  const bystander = await openBystander(target);
  try {
    let next = opts.onlyConnection ?? 0;
    const last = opts.onlyConnection ?? Number.MAX_SAFE_INTEGER;
    const worker = async (): Promise<void> => {
      while (report.frames < opts.frames && next <= last && healthy(report, target)) {
        const connection = next++;
        await fuzzOne(target, opts, connection, report);
        if (connection % 50 === 0 && !(await bystanderAnswers(bystander, opts.bystanderDeadlineMs))) report.bystanderFailures++;
        if (connection % 200 === 0) opts.onProgress?.(report);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    if (target.exitCode() === null && !(await bystanderAnswers(bystander, opts.bystanderDeadlineMs))) report.bystanderFailures++;
  } finally {
    clearInterval(sampler);
    await bystander.end().catch(() => undefined);
  }
  report.crashed = target.exitCode();
  report.peakRssMb = Math.max(report.peakRssMb, rssMb(target.pid));
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** True when nothing has yet failed the run: the fuzzing stops at the first failure, whose frames are kept. */
export function passed(report: FuzzReport, target: Pick<FuzzTarget, 'bugLines'>): boolean {
  return report.internalErrors.length === 0 && report.crashed === null && report.bystanderFailures === 0 && target.bugLines().length === 0;
}

function healthy(report: FuzzReport, target: FuzzTarget): boolean {
  return report.internalErrors.length === 0 && target.exitCode() === null && target.bugLines().length === 0;
}

async function fuzzOne(target: FuzzTarget, opts: FuzzOptions, connection: number, report: FuzzReport): Promise<void> {
  const rng = new Prng(connectionSeed(opts.seed, connection));
  const applied: Mutation[] = [];
  const frames = mutateSession(rng, generateSession(rng, { steps: opts.stepsPerSession }), opts.mutationRate, applied);
  const outcome = await runConnection(target, frames, rng, opts.limits);
  report.frames += frames.length;
  report.connections++;
  if (outcome.closedByServer) report.closedByServer++;
  for (const m of applied) report.mutations[m] = (report.mutations[m] ?? 0) + 1;
  for (const e of outcome.errors) {
    report.errorsByCode[e.code] = (report.errorsByCode[e.code] ?? 0) + 1;
    report.exampleByCode[e.code] ??= e.message;
    if (e.code === 'XX000') report.internalErrors.push({ connection, error: e, framesHex: Buffer.concat(frames).toString('hex') });
  }
}

async function openBystander(target: FuzzTarget): Promise<Client> {
  const c = new Client({ host: target.host, port: target.port, user: 'bystander', database: 'sluice' });
  c.on('error', () => undefined); // a lost bystander shows as a failed SELECT 1
  await c.connect();
  for (const sql of FUZZ_SCHEMA) await c.query(sql);
  return c;
}

async function bystanderAnswers(c: Client, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
  const answer = c.query('SELECT 1 AS one').then((r) => r.rows[0]?.one === 1, () => false);
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Math.round(Number(m[1]) / 1024);
  } catch {
    return 0; // the process is gone: the run reports that as a crash
  }
}

/** The report as lines for a terminal. */
export function formatReport(r: FuzzReport): string {
  const codes = Object.entries(r.errorsByCode).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  const mutations = Object.entries(r.mutations).sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(', ');
  return [
    `seed ${r.seed}: ${r.frames} frames over ${r.connections} connections in ${r.seconds.toFixed(1)} s ` +
      `(${Math.round(r.frames / Math.max(r.seconds, 0.001))} frames/s), ${r.closedByServer} closed by the server`,
    `errors by SQLSTATE: ${codes || 'none'}`,
    ...Object.entries(r.exampleByCode).map(([c, m]) => `  ${c}: ${m.slice(0, 100)}`),
    `mutations: ${mutations || 'none'}`,
    `internal errors: ${r.internalErrors.length}; crashed: ${r.crashed === null ? 'no' : `exit ${r.crashed}`}; ` +
      `bystander failures: ${r.bystanderFailures}; peak RSS ${r.peakRssMb} MB`,
    ...r.internalErrors.slice(0, 5).map((e) => `  connection ${e.connection}: ${e.error.code} ${e.error.message}\n    frames ${e.framesHex.slice(0, 400)}`),
  ].join('\n');
}
