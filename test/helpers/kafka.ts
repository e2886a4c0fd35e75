// A real Kafka-protocol broker for tests: librdkafka's mock cluster, started through Debian's `kcat` (see "Kafka in
// tests" in ENGINEERING.md), plus small helpers to produce to a topic and read it back with kafkajs and with kcat.
// kcat is installed with apt-get when it is missing and we may (root, apt-get present); otherwise starting fails
// with a message naming the package. Every broker started here is killed if the test process exits first.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel, Partitioners, type IHeaders } from 'kafkajs';

export interface TestKafka {
  /** `127.0.0.1:PORT` of the mock cluster's bootstrap broker. */
  readonly brokers: string;
  /** Kills the broker (its topics are gone with it) and waits for the exit. */
  stop(): Promise<void>;
  /** Freezes the broker process (SIGSTOP): connections hang, requests time out; nothing is lost. */
  pause(): void;
  /** Thaws a paused broker (SIGCONT). */
  resume(): void;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});

let kcatChecked = false;

/** Makes sure `kcat` is on the PATH, installing Debian's package when running as root with apt-get. */
export function ensureKcat(): void {
  if (kcatChecked) return;
  if (onPath('kcat')) {
    kcatChecked = true;
    return;
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && onPath('apt-get')) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'kcat'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!onPath('kcat')) {
    throw new Error('the Kafka tests need `kcat` (Debian package `kcat`, which carries librdkafka\'s mock broker): ' +
      'install it with `apt-get install -y kcat`');
  }
  kcatChecked = true;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Starts a one-broker mock cluster; topics are created on first use with 4 partitions. */
export async function startKafka(): Promise<TestKafka> {
  ensureKcat();
  // A consumer of a throwaway topic keeps kcat (and so the mock cluster inside it) alive until we kill it.
  const child = spawn('kcat', ['-q', '-b', 'localhost:9092', '-X', 'test.mock.num.brokers=1', '-C', '-t', '_warmup', '-o', 'end'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.on('exit', () => {
    running.delete(child);
    resolve();
  }));
  let err = '';
  const brokers = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat's mock broker did not report its address within 10 s; stderr: ${err}`));
    }, 10_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited (${code}) before reporting its address; stderr: ${err}`));
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      // Keep only the start: the mock logs a line per request when debugging is on, and we must keep draining.
      if (err.length < 64 * 1024) err += s;
      const m = /(?:bootstrap\.servers=|replaced with )(127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  let stopped = false;
  return {
    brokers,
    async stop() {
      if (!stopped) {
        stopped = true;
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited;
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
}

// --- producing -------------------------------------------------------------------------------------------------

export interface TestMessage {
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly partition?: number;
  readonly headers?: IHeaders;
}

function quietKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });
}

/** Produces with kafkajs (acks from all replicas), in chunks of 1,000. */
export async function produceWithKafkajs(brokers: string, topic: string, messages: readonly TestMessage[]): Promise<void> {
  const producer = quietKafka(brokers, 'test-producer').producer({
    allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000).map((m) => ({ ...m })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Produces with `kcat -P`: one message per line of `lines` (so values must not contain newlines). With `key`, each
 * line is `key<TAB>value`; with `nullEmpty`, an empty value is sent as NULL (a tombstone); with `compression`, the
 * record batches are compressed with that codec (librdkafka's own compressors).
 */
export function produceWithKcat(
  brokers: string, topic: string, lines: readonly string[],
  opts: { partition?: number; keyed?: boolean; nullEmpty?: boolean; compression?: 'gzip' | 'snappy' | 'lz4' | 'zstd' } = {},
): Promise<void> {
  ensureKcat();
  const args = ['-b', brokers, '-P', '-t', topic];
  if (opts.partition !== undefined) args.push('-p', String(opts.partition));
  if (opts.compression !== undefined) args.push('-z', opts.compression);
  if (opts.keyed) args.push('-K', '\t');
  if (opts.nullEmpty) args.push('-Z');
  return runKcat(args, lines.map((l) => `${l}\n`).join('')).then(() => undefined);
}

function runKcat(args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited with ${code}: ${err}`));
    });
    child.stdin.end(input);
  });
}

// --- reading back ------------------------------------------------------------------------------------------------

export interface ReadMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  /** The value's bytes (binary formats such as Avro); set by readWithKafkajs when asked for. */
  readonly rawValue?: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** Every message of the topic, with kcat (`-C -e -J`), ordered by partition then offset. */
export async function readWithKcat(brokers: string, topic: string): Promise<ReadMessage[]> {
  ensureKcat();
  const out = await runKcat(['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], '');
  const messages: ReadMessage[] = [];
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const j = JSON.parse(line) as { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] };
    const headers: Record<string, string> = {};
    const h = j.headers ?? [];
    for (let i = 0; i + 1 < h.length; i += 2) headers[h[i]] = h[i + 1];
    messages.push({ partition: j.partition, offset: j.offset, key: j.key, value: j.payload, headers });
  }
  return sortMessages(messages);
}

/**
 * Reads the topic from the beginning with a kafkajs consumer (a fresh group) until `count` messages arrived or
 * `timeoutMs` passed; ordered by partition then offset. `raw`: keep each value's bytes too (rawValue).
 */
export async function readWithKafkajs(
  brokers: string, topic: string, count: number, timeoutMs = 15_000, raw = false,
): Promise<ReadMessage[]> {
  const consumer = quietKafka(brokers, 'test-reader').consumer({
    groupId: `test-reader-${process.pid}-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 200,
  });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          messages.push({
            partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null, headers, ...(raw ? { rawValue: message.value } : {}),
          });
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(() => resolve());
    });
  } finally {
    await consumer.disconnect();
  }
  return sortMessages(messages);
}

function sortMessages(m: ReadMessage[]): ReadMessage[] {
  return m.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
