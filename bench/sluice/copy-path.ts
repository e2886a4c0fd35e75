// The COPY path: the real server as a child process; events go in as COPY ... FROM STDIN (text format) over TCP on
// one connection, statements and the freshness polls on another. CPU and memory are the server's, so encoding
// the COPY text (done before the clock starts anyway) never counts against Sluice.

import type { Client } from 'pg';
import type { Value } from '../../engine/types';
import { processCpuSeconds } from '../measure/cpu';
import { processRss } from '../measure/memory';
import type { EventBatch, StreamName } from '../nexmark/schema';
import { copyText } from '../encode/copy-text';
import { copyFrom } from '../wire/copy-in';
import { startSluiceServer } from '../wire/sluice-server';
import type { SluiceTarget } from './target';

type Encoded = { stream: StreamName; body: Buffer }[];

export async function openCopyPath(): Promise<SluiceTarget<Encoded>> {
  const server = await startSluiceServer();
  let control: Client | null = null;
  let ingest: Client | null = null;
  try {
    control = await server.connect();
    ingest = await server.connect();
  } catch (e) {
    await control?.end().catch(() => undefined);
    await server.stop();
    throw e;
  }
  const sqlClient = control;
  const copyClient = ingest;
  return {
    path: 'copy',
    ingestMethod: 'COPY FROM STDIN (text) over TCP, one connection',
    async sql(text: string): Promise<Value[][]> {
      const result = await sqlClient.query({ text, rowMode: 'array' });
      const results = Array.isArray(result) ? result : [result];
      return (results[results.length - 1]?.rows ?? []) as Value[][];
    },
    streamOptions: () => '',
    encode: (batch: EventBatch, streams: readonly StreamName[]): Encoded =>
      streams.filter((s) => batch[s].length > 0).map((s) => ({ stream: s, body: copyText(batch[s]) })),
    async ingest(encoded: Encoded): Promise<void> {
      for (const { stream, body } of encoded) await copyFrom(copyClient, `COPY ${stream} FROM STDIN`, body);
    },
    cpu: processCpuSeconds(server.pid),
    rss: processRss(server.pid),
    async close(): Promise<void> {
      await sqlClient.end().catch(() => undefined);
      await copyClient.end().catch(() => undefined);
      await server.stop();
    },
  };
}
