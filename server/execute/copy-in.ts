// COPY ... FROM STDIN on the server's side: the engine decodes and applies the data (engine/execute/writes.ts);
// this only gives the protocol its CommandComplete tag.

import type { CopyFromInput } from '../../engine/execute/execution';
import type { CopyInResult } from '../backend';

export function copyIn(input: CopyFromInput): CopyInResult {
  return {
    kind: 'copy_in',
    format: input.format,
    columnCount: input.columnCount,
    write: (chunk) => input.write(chunk),
    end: async () => `COPY ${await input.end()}`,
    abort: () => input.abort(),
    ...(input.rejected === undefined ? {} : { rejected: input.rejected }),
  };
}
