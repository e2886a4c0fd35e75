// Measuring whether other sessions keep answering while a statement runs (issue 15: a `SELECT 1` probe), and
// cancelling that statement as a client does, with a CancelRequest on a connection of its own.

import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { serialize } from 'pg-protocol';
import { RawClient } from './raw-client';

/** Sends a CancelRequest for what `victim` runs now, and waits until the server has closed that connection. */
export async function sendCancel(server: { host: string; port: number }, victim: Client): Promise<void> {
  const { processID, secretKey } = victim as unknown as { processID: number; secretKey: number };
  const c = await RawClient.connect(server);
  c.send(serialize.cancel(processID, secretKey));
  assert.ok(await c.waitClosed(), 'the cancel connection is closed');
}

/** `SELECT 1` on `probe`, one after another, until `done` settles: each round trip in milliseconds. */
export async function probeUntil(probe: Client, done: Promise<unknown>): Promise<number[]> {
  let settled = false;
  void done.then(() => (settled = true), () => (settled = true));
  const times: number[] = [];
  while (!settled) {
    const t0 = performance.now();
    await probe.query('SELECT 1');
    times.push(performance.now() - t0);
  }
  return times;
}

export function p99(xs: readonly number[]): number {
  return [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];
}
