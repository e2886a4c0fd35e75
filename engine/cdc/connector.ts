// PostgreSQL change data capture as a kind of connector: a TABLE fed by a PostgreSQL table (source.ts). At CREATE the
// upstream table is looked at when PostgreSQL can be reached, so a missing table or column or a type that does not
// map exactly is an error then (42P01, 42703, 42804); when it cannot be reached the table is created and its source
// waits, checking again before it reads anything.

import type { StreamDef, TableDef } from '../catalog';
import type { ConnectorKind } from '../connectors/connector';
import { cdcOptions } from './options';
import { startCdcSource } from './source';
import { checkColumns } from './types';
import { connectUpstream, upstreamColumns } from './upstream';

export function postgresCdcConnector(): ConnectorKind {
  return {
    name: 'postgres-cdc',
    target: (def) => (def.kind === 'sink' ? null : `${def.options.schema ?? 'public'}.${def.options.table ?? ''}`),
    checkSource: checkUpstream,
    startSource: startCdcSource,
  };
}

async function checkUpstream(def: StreamDef | TableDef): Promise<void> {
  const o = cdcOptions(def);
  let c;
  try {
    c = await connectUpstream(o);
  } catch {
    return; // unreachable now: the source waits for it and checks then
  }
  try {
    checkColumns(def.columns, await upstreamColumns(c, o), `${o.schema}.${o.table}`);
  } finally {
    await c.end().catch(() => undefined);
  }
}
