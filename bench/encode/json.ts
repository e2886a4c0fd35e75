// A columnar batch as JSON records, one per row, keyed by column name, the way a Kafka producer would write
// Nexmark events: ids and prices as numbers, times as milliseconds since the epoch (the usual Kafka convention).

import { type ColumnBatch, STREAM_COLUMNS } from '../nexmark/schema';

export function jsonRecords(batch: ColumnBatch): string[] {
  const specs = STREAM_COLUMNS[batch.stream];
  const out = new Array<string>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const record: Record<string, string | number> = {};
    for (let c = 0; c < specs.length; c++) {
      const col = batch.columns[c];
      const type = specs[c].type;
      record[specs[c].name] = type === 'text' ? (col as string[])[i]
        : type === 'int8' ? (col as Float64Array)[i]
        : (col as Float64Array)[i] / 1000;
    }
    out[i] = JSON.stringify(record);
  }
  return out;
}
