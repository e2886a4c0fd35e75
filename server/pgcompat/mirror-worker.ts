// The catalog mirror's worker thread: it owns PGlite. Starting PGlite compiles and runs PostgreSQL in WebAssembly,
// which holds a thread for seconds; here that thread is not the server's, so every session keeps being served while
// the mirror starts and while a heavy catalog query runs. Started by mirror-thread.ts, which documents the protocol
// (mirror-messages.ts has the messages).

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Logger, LogLevel } from '../log';
import type { MirrorReply, MirrorRequest, MirrorWorkerSettings } from './mirror-messages';
import { bootMirrorDatabase } from './pglite-boot';

function requireParentPort(): MessagePort {
  if (parentPort === null) throw new Error('mirror-worker.js runs only as a worker thread (see mirror-thread.ts)');
  return parentPort;
}

const port = requireParentPort();

function reply(message: MirrorReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** A Logger whose lines the main thread writes, through its own logger. */
function postingLogger(base: Record<string, unknown> = {}): Logger {
  const post = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>): void =>
    reply({ kind: 'log', level, msg, fields: { ...base, ...fields } });
  return {
    debug: post('debug'),
    info: post('info'),
    warn: post('warn'),
    error: post('error'),
    child: (fields) => postingLogger({ ...base, ...fields }),
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const settings = workerData as MirrorWorkerSettings;
const booting = bootMirrorDatabase({ ...settings, log: postingLogger() });

booting.then(
  (booted) => reply({ kind: 'ready', templateFromCache: booted.templateFromCache }),
  (e: unknown) => {
    reply({ kind: 'failed', message: messageOf(e) });
    port.close(); // nothing left to do: the thread ends
  },
);

async function handle(request: MirrorRequest): Promise<void> {
  if (request.kind === 'close') {
    await (await booting.catch(() => null))?.db.close();
    port.close();
    return;
  }
  try {
    const { db } = await booting;
    if (request.kind === 'exec') {
      await db.exec(request.sql);
      reply({ kind: 'result', id: request.id, bytes: null });
    } else {
      const out = await db.execProtocolRaw(request.bytes);
      // A copy of exactly the answer, whose buffer can be handed over rather than cloned.
      const bytes = out.slice();
      reply({ kind: 'result', id: request.id, bytes }, [bytes.buffer]);
    }
  } catch (e) {
    reply({ kind: 'error', id: request.id, message: messageOf(e) });
  }
}

// One request at a time, in the order the main thread sent them: PGlite is a single session.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: MirrorRequest) => {
  queue = queue.then(() => handle(request));
});
