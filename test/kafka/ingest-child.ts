// Child process of the crash test: opens the data directory argv[2], runs the Kafka source of relation argv[3] and
// prints its status as a JSON line every 50 ms until it is killed.

import { startKafkaSource } from '../../engine/kafka';
import type { StreamDef, RelationDef } from '../../engine/catalog';
import { Store } from '../../storage';
import { FAST } from './fixtures';

async function main(): Promise<void> {
  const store = await Store.open<RelationDef>(process.argv[2]);
  const stored = store.getDef(process.argv[3]);
  if (!stored) throw new Error(`no relation ${process.argv[3]}`);
  const quiet = (): void => undefined;
  const source = startKafkaSource({
    store, relationId: stored.id, def: stored.def as StreamDef, tuning: FAST,
    log: { info: quiet, warn: quiet, error: (msg, fields) => process.stderr.write(`${msg} ${JSON.stringify(fields)}\n`) },
  });
  setInterval(() => process.stdout.write(JSON.stringify(source.status()) + '\n'), 50);
}

main().catch((e: unknown) => {
  process.stderr.write(`ingest child failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
