// The in-process path: the database opened inside the benchmark process with the same code the server runs
// (openSluice), statements through its Backend, and events through the fastest ingest the engine offers, in this
// order of preference: the runtime's Arrow batch insert (`insertBatch`), its row insert (`insert`), or COPY FROM
// STDIN through the Backend, without a socket. CPU and memory are this process's.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { openSluice, type Sluice } from '../../server/sluice';
import { silentLogger } from '../../server/log';
import type { Value } from '../../engine/types';
import { ownCpuSeconds } from '../measure/cpu';
import { ownRss } from '../measure/memory';
import type { EventBatch, StreamName } from '../nexmark/schema';
import { arrowBatch, valueRows } from '../encode/engine-forms';
import { copyText } from '../encode/copy-text';
import { benchSession, execute, rowsOf } from './session';
import type { SluiceTarget } from './target';

/** What the benchmark looks for on the opened database; the Sluice interface does not promise a runtime yet. */
interface RuntimeIngest {
  insertBatch?(name: string, batch: RecordBatch): Promise<unknown>;
  insert?(name: string, rows: readonly (readonly Value[])[]): Promise<unknown>;
}

type Method = 'arrow' | 'rows' | 'copy';
type Encoded = { stream: StreamName; payload: RecordBatch | Value[][] | Buffer }[];

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
  const runtime = (sluice as unknown as { runtime?: RuntimeIngest }).runtime;
  const method: Method = typeof runtime?.insertBatch === 'function' ? 'arrow'
    : typeof runtime?.insert === 'function' ? 'rows' : 'copy';
  const described: Record<Method, string> = {
    arrow: 'Runtime.insertBatch (Arrow RecordBatch)',
    rows: 'Runtime.insert (rows of values; no Arrow batch insert yet)',
    copy: 'COPY FROM STDIN through the Backend (no runtime exposed by openSluice yet)',
  };

  const copyIn = async (stream: StreamName, body: Buffer): Promise<void> => {
    const result = await execute(sluice.backend, session, `COPY ${stream} FROM STDIN`);
    if (result?.kind !== 'copy_in') throw new Error(`COPY ${stream} FROM STDIN did not start a copy`);
    for (let at = 0; at < body.length; at += 65536) result.write(body.subarray(at, at + 65536));
    await result.end();
  };

  return {
    path: 'inproc',
    ingestMethod: described[method],
    sql: async (text) => rowsOf(await execute(sluice.backend, session, text)),
    streamOptions: () => '',
    encode(batch: EventBatch, streams: readonly StreamName[]): Encoded {
      return streams.filter((s) => batch[s].length > 0).map((s) => ({
        stream: s,
        payload: method === 'arrow' ? arrowBatch(batch[s]) : method === 'rows' ? valueRows(batch[s]) : copyText(batch[s]),
      }));
    },
    async ingest(encoded: Encoded): Promise<void> {
      for (const { stream, payload } of encoded) {
        if (method === 'arrow') await runtime!.insertBatch!(stream, payload as RecordBatch);
        else if (method === 'rows') await runtime!.insert!(stream, payload as Value[][]);
        else await copyIn(stream, payload as Buffer);
      }
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

