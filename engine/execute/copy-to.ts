// COPY (query) TO STDOUT and COPY relation TO STDOUT: the query runs once as a pull query, then its rows go out as
// COPY lines a slice at a time. Each slice is encoded only when the client has taken the last one (the protocol
// layer asks for the next group once the socket has drained), so the text of a big result is never all in memory,
// and the event loop is given back between slices so other sessions run meanwhile.

import { CopyLineEncoder } from '../codecs/copy-out';
import { yieldToLoop } from '../slices';
import { statementContext, type Execution, type ExecutionResult, type Of } from './execution';

/** Rows encoded per group of lines: some tens of kilobytes of text, a few milliseconds of work. */
const ROWS_PER_GROUP = 1024;

export async function copyTo(s: Of<'copy_to'>, x: Execution): Promise<ExecutionResult> {
  const rows = await x.runtime.pull(s.plan, statementContext(x), x.signal);
  const encoder = new CopyLineEncoder(s.plan.schema, s.format, x.zone);
  const header = s.header;
  return {
    kind: 'copy_out',
    columnCount: s.plan.schema.length,
    // PostgreSQL counts the rows, not the header line.
    tag: () => `COPY ${rows.length}`,
    lines: (async function* () {
      if (header) yield [encoder.headerLine()];
      for (let at = 0; at < rows.length; at += ROWS_PER_GROUP) {
        if (at > 0) await yieldToLoop();
        yield encoder.lines(rows.slice(at, at + ROWS_PER_GROUP));
      }
    })(),
  };
}
