// The three Nexmark streams: their columns (named as in the reference's DDL, in snake case) and the columnar
// batches the generator fills. A column is a Float64Array for numbers (ids, prices and timestamps in microseconds
// since the epoch, all exact below 2^53) or an array of strings, the same forms as the engine's Vec.

export type ColumnType = 'int8' | 'text' | 'timestamptz';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

export type StreamName = 'person' | 'auction' | 'bid';

export const STREAM_COLUMNS: Record<StreamName, readonly ColumnSpec[]> = {
  person: [
    { name: 'id', type: 'int8' },
    { name: 'name', type: 'text' },
    { name: 'email_address', type: 'text' },
    { name: 'credit_card', type: 'text' },
    { name: 'city', type: 'text' },
    { name: 'state', type: 'text' },
    { name: 'date_time', type: 'timestamptz' },
    { name: 'extra', type: 'text' },
  ],
  auction: [
    { name: 'id', type: 'int8' },
    { name: 'item_name', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'initial_bid', type: 'int8' },
    { name: 'reserve', type: 'int8' },
    { name: 'date_time', type: 'timestamptz' },
    { name: 'expires', type: 'timestamptz' },
    { name: 'seller', type: 'int8' },
    { name: 'category', type: 'int8' },
    { name: 'extra', type: 'text' },
  ],
  bid: [
    { name: 'auction', type: 'int8' },
    { name: 'bidder', type: 'int8' },
    { name: 'price', type: 'int8' },
    { name: 'channel', type: 'text' },
    { name: 'url', type: 'text' },
    { name: 'date_time', type: 'timestamptz' },
    { name: 'extra', type: 'text' },
  ],
};

export const STREAM_NAMES: readonly StreamName[] = ['person', 'auction', 'bid'];

export type Column = Float64Array | string[];

/** Rows of one stream, column by column, in the order of STREAM_COLUMNS. */
export interface ColumnBatch {
  readonly stream: StreamName;
  readonly length: number;
  readonly columns: readonly Column[];
}

/** Events [firstEvent, firstEvent + count), split by stream. */
export interface EventBatch {
  readonly firstEvent: number;
  readonly count: number;
  readonly person: ColumnBatch;
  readonly auction: ColumnBatch;
  readonly bid: ColumnBatch;
}

export function numbers(batch: ColumnBatch, column: string): Float64Array {
  return batch.columns[columnIndex(batch.stream, column)] as Float64Array;
}

export function strings(batch: ColumnBatch, column: string): string[] {
  return batch.columns[columnIndex(batch.stream, column)] as string[];
}

export function columnIndex(stream: StreamName, column: string): number {
  const i = STREAM_COLUMNS[stream].findIndex((c) => c.name === column);
  if (i < 0) throw new Error(`stream ${stream} has no column ${column}`);
  return i;
}

/** The CREATE STREAM statements, with the reference's watermark: event time minus 4 seconds. */
export function createStreamSql(stream: StreamName): string {
  const cols = STREAM_COLUMNS[stream].map((c) => {
    const type = { int8: 'BIGINT', text: 'TEXT', timestamptz: 'TIMESTAMPTZ' }[c.type];
    return `${c.name} ${type}${c.name === 'date_time' ? ' NOT NULL' : ''}`;
  });
  return `CREATE STREAM ${stream} (${cols.join(', ')}, ` +
    `WATERMARK FOR date_time AS date_time - INTERVAL '4 seconds')`;
}
