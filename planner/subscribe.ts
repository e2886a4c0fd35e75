// SUBSCRIBE's planning: the relation it follows (a stream, table or continuous query), its WITH options checked
// and typed, and the columns of its rows.

import { describeRelation } from '../engine/catalog';
import { SqlError, SQLSTATE } from '../engine/errors';
import type { Statement } from '../engine/statement';
import { subscribeSchema, type SubscribeOptions } from '../engine/subscribe/options';
import type { PlannerCatalog } from './context';
import type { OptionAst, SubscribeAst } from './parse/ast';

export function planSubscribe(s: SubscribeAst, catalog: PlannerCatalog): Statement {
  const def = catalog.relation(s.relation.name);
  const position = s.relation.pos + 1;
  if (def === undefined) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${s.relation.name}" does not exist`, { position });
  }
  if (def.kind === 'sink') {
    throw new SqlError(SQLSTATE.wrong_object_type, `cannot subscribe to ${describeRelation(def)}`, {
      position, hint: 'Subscribe to what the sink reads from.',
    });
  }
  const options = subscribeOptions(s.options);
  return {
    kind: 'subscribe',
    relation: def.name,
    schema: subscribeSchema(def.columns, options.progress),
    options,
    output: s.output.kind === 'rows' ? 'rows' : s.output.format === 'csv' ? 'copy_csv' : 'copy_text',
  };
}

function subscribeOptions(options: readonly OptionAst[]): SubscribeOptions {
  let snapshot = true;
  let progress = false;
  let fromEpoch: bigint | null = null;
  for (const o of options) {
    switch (o.key) {
      case 'snapshot': snapshot = booleanOption(o); break;
      case 'progress': progress = booleanOption(o); break;
      case 'from_epoch': fromEpoch = epochOption(o); break;
      default:
        throw new SqlError(SQLSTATE.syntax_error, `SUBSCRIBE option "${o.key}" not recognized`, {
          position: o.pos + 1, hint: 'The options are snapshot, progress and from_epoch.',
        });
    }
  }
  // Resuming from an epoch continues a subscription that already had its snapshot.
  const snapshotOption = options.find((o) => o.key === 'snapshot');
  if (fromEpoch !== null && snapshotOption !== undefined && snapshot) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, 'SUBSCRIBE cannot take both from_epoch and snapshot = true', {
      position: snapshotOption.pos + 1,
      hint: 'from_epoch replays the changes after that epoch; leave snapshot out.',
    });
  }
  return { snapshot: fromEpoch === null && snapshot, progress, fromEpoch };
}

function booleanOption(o: OptionAst): boolean {
  const v = o.value.toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(v)) return true;
  if (['false', 'off', '0', 'no'].includes(v)) return false;
  throw new SqlError(SQLSTATE.invalid_parameter_value, `${o.key} requires a Boolean value`, { position: o.pos + 1 });
}

function epochOption(o: OptionAst): bigint {
  if (!/^\d+$/.test(o.value) || BigInt(o.value) > 0x7fffffffffffffffn) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `from_epoch must be an epoch number (an integer, 0 or more), not "${o.value}"`, {
      position: o.pos + 1,
    });
  }
  return BigInt(o.value);
}
