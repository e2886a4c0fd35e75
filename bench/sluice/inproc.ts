// The in-process path: the database opened inside the benchmark process with the same code the server runs
// (openSluice), statements through its Backend, and events through the engine's fastest ingest, the runtime's
// Arrow batch insert (`runtime.writes.insertBatch`), with no socket and no text. CPU and memory are this process's.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { openSluice, type Sluice } from '../../server/sluice';
import { silentLogger } from '../../server/log';
import { ownCpuSeconds } from '../measure/cpu';
import { ownRss } from '../measure/memory';
import type { EventBatch, StreamName } from '../nexmark/schema';
import { arrowBatch } from '../encode/engine-forms';
import { benchSession, execute, rowsOf } from './session';
import type { SluiceTarget } from './target';

type Encoded = { stream: StreamName; batch: RecordBatch }[];

export async function openInProcess(): Promise<SluiceTarget<Encoded>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  let sluice: Sluice;
  try {
    sluice = await openSluice({ dataDir, log: silentLogger });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const session = benchSession();
  return {
    path: 'inproc',
    ingestMethod: 'runtime.writes.insertBatch (Arrow RecordBatch)',
    sql: async (text) => rowsOf(await execute(sluice.backend, session, text)),
    streamOptions: () => '',
    encode(batch: EventBatch, streams: readonly StreamName[]): Encoded {
      return streams.filter((s) => batch[s].length > 0).map((s) => ({ stream: s, batch: arrowBatch(batch[s]) }));
    },
    async ingest(encoded: Encoded): Promise<void> {
      for (const { stream, batch } of encoded) await sluice.runtime.writes.insertBatch(stream, batch);
    },
    cpu: ownCpuSeconds,
    rss: ownRss,
    async close(): Promise<void> {
      try {
        await sluice.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

