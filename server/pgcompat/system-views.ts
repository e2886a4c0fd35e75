// The shape of Sluice's system views (schema `sluice`, SQL.md) as the mirror shows them to psql and BI tools: the
// engine's own schemas (engine/runtime/system-views.ts) with a description each. Their rows come from the engine;
// in the mirror they are empty views with the right columns.

import type { Field } from '../../engine/types';
import { SYSTEM_VIEWS } from '../../engine/runtime/system-views';

export interface SystemViewDef {
  /** Name within schema `sluice`. */
  readonly name: string;
  readonly description: string;
  readonly columns: readonly Field[];
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  streams: 'Sluice streams',
  tables: 'Sluice tables',
  sinks: 'Sluice sinks',
  queries: 'Sluice continuous queries and their progress',
  sources: 'Kafka sources and sinks: state, lag and counts',
  dead_letters: 'Records that could not be applied, with the reason',
  checkpoints: 'Committed epochs',
};

export const DEFAULT_SYSTEM_VIEWS: readonly SystemViewDef[] = Object.entries(SYSTEM_VIEWS).map(([name, columns]) => ({
  name, description: DESCRIPTIONS[name] ?? name, columns,
}));
