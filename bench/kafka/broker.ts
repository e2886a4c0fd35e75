// A Kafka broker for the Kafka path: librdkafka's built-in mock cluster, started through kcat (see
// ENGINEERING.md, "Kafka in tests"). It speaks the real protocol and creates topics on first use; it prints its
// address on stderr as `bootstrap.servers=127.0.0.1:PORT`.

import { spawn, spawnSync } from 'node:child_process';

export interface MockBroker {
  readonly brokers: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export function kcatAvailable(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function startMockBroker(): Promise<MockBroker> {
  const child = spawn('kcat', ['-b', 'localhost:9092', '-X', 'test.mock.num.brokers=1', '-d', 'mock', '-C', '-t',
    '_warmup', '-o', 'end'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let err = '';
  const brokers = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kcat mock broker did not start: ${err.slice(-500)}`)), 10_000);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err = (err + s).slice(-20_000);
      const m = /bootstrap\.servers=([0-9.]+:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`kcat exited with ${code}: ${err.slice(-500)}`)));
  }).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  });
  // Keep draining its debug output so the pipe never fills up and blocks it.
  child.stderr!.removeAllListeners('data').resume();
  return {
    brokers,
    pid: child.pid!,
    async stop(): Promise<void> {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
