// A columnar batch as the body of COPY ... FROM STDIN (FORMAT text): tab-separated, one line per row. The
// generator's strings hold letters, digits, spaces and URL punctuation only, never a tab, newline or backslash
// (test/bench checks it), so no escaping is needed.

import { type ColumnBatch, STREAM_COLUMNS } from '../nexmark/schema';
import { timestampText } from './timestamp';

export function copyText(batch: ColumnBatch): Buffer {
  const specs = STREAM_COLUMNS[batch.stream];
  const lines = new Array<string>(batch.length);
  const cols = batch.columns;
  for (let i = 0; i < batch.length; i++) {
    let line = '';
    for (let c = 0; c < specs.length; c++) {
      if (c > 0) line += '\t';
      const type = specs[c].type;
      if (type === 'text') line += (cols[c] as string[])[i];
      else if (type === 'int8') line += (cols[c] as Float64Array)[i];
      else line += timestampText((cols[c] as Float64Array)[i]);
    }
    lines[i] = line;
  }
  return Buffer.from(batch.length === 0 ? '' : `${lines.join('\n')}\n`, 'latin1');
}
