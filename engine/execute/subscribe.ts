// SUBSCRIBE TO x, bare (rows until canceled) or inside COPY (...) TO STDOUT (COPY lines until canceled).

import { CopyLineEncoder } from '../codecs/copy-out';
import { itemRows } from '../subscribe/encode';
import type { Execution, ExecutionResult, Of } from './execution';

export async function subscribe(s: Of<'subscribe'>, x: Execution): Promise<ExecutionResult> {
  const subscription = await x.runtime.subscribe(s.relation, s.options, x.signal);
  const columns = subscription.columns;
  const progress = s.options.progress;
  if (s.output === 'rows') {
    return {
      kind: 'row_stream',
      schema: s.schema,
      failed: subscription.failed,
      tag: (n) => `SUBSCRIBE ${n}`,
      rows: (async function* () {
        for await (const item of subscription.items()) yield itemRows(item, columns, progress);
      })(),
    };
  }
  const format = s.output === 'copy_csv' ? 'csv' : 'text';
  const encoder = new CopyLineEncoder(s.schema, { format }, x.zone);
  const shared = x.runtime.subscriptions.encoded;
  return {
    kind: 'copy_out',
    columnCount: s.schema.length,
    failed: subscription.failed,
    tag: (n) => `COPY ${n}`,
    lines: (async function* () {
      for await (const item of subscription.items()) yield shared.lines(item, encoder, columns, progress, format);
    })(),
  };
}
