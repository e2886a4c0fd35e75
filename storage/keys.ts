// The key layout of the one LevelDB that holds everything. Keys are bytes: a one-byte namespace, then fixed-width
// big-endian ids and sequence numbers (so LevelDB's bytewise order is numeric order), then a variable suffix.
// docs/durability.md documents the same table; change both together, and bump FORMAT_VERSION when a layout changes.
//
//   ns    key                                  value
//   0x00  META      "format" | "next_relation_id"   format version / next relation id (JSON)
//   0x00  META      "commit"                         u64: the number of the last LevelDB write (group-commit.ts)
//   0x01  CATALOG   name (UTF-8)                     {id, def} (JSON)
//   0x02  LOG       relation u32, seq u64            a log value (log-values.ts): one change batch as the engine encodes
//                                                  it (engine/codecs/change-batch.ts), or a reference to staged chunks
//   0x03  STATE     query u32, state key (UTF-8)     operator state bytes (the runtime's encoding)
//   0x04  RESULT    query u32, key bytes             materialized result, in the runtime's encoding (chunks)
//   0x05  QUERY     query u32                        {epoch, offsets, committedAt} of the last committed epoch
//   0x06  CHECKPOINT query u32, epoch u64            {durationMs, offsets, committedAt}
//   0x07  DEAD      seq u64                          one dead letter
//   0x08  ROW       table u32, primary key bytes     current table row (the runtime's encoding)
//   0x09  SOURCE    relation u32                     external source positions (e.g. Kafka partition offsets)
//   0x0a  FLOOR     relation u32                     highest trimmed log seq, so trimming never rewinds seqs
//   0x0b  STAGED    relation u32, stage u64          the seq of the log entry that took this stage (its commit mark)
//   0x0b  STAGED    relation u32, stage u64, chunk u32   one change batch of a staged COPY (staging.ts)
//   0x0c  EPOCH     query u32, epoch u64             the seq u64 of the query's log entry that epoch appended
//   0x0d  ROLE      name (UTF-8)                     a role's definition (JSON; the engine's RoleDef)

export const NS = {
  meta: 0x00,
  catalog: 0x01,
  log: 0x02,
  state: 0x03,
  result: 0x04,
  query: 0x05,
  checkpoint: 0x06,
  dead: 0x07,
  row: 0x08,
  source: 0x09,
  floor: 0x0a,
  staged: 0x0b,
  epoch: 0x0c,
  role: 0x0d,
} as const;

export type Namespace = (typeof NS)[keyof typeof NS];

/** Namespaces whose keys start with a relation id: everything a DROP must remove. */
export const PER_RELATION_NAMESPACES: readonly Namespace[] = [
  NS.log, NS.state, NS.result, NS.query, NS.checkpoint, NS.row, NS.source, NS.floor, NS.staged, NS.epoch,
];

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export const MAX_RELATION_ID = 0xfffffffe;

export function metaKey(name: 'format' | 'next_relation_id' | 'commit'): Uint8Array {
  return concat([NS.meta], utf8.encode(name));
}

export function catalogKey(name: string): Uint8Array {
  return concat([NS.catalog], utf8.encode(name));
}

export function roleKey(name: string): Uint8Array {
  return concat([NS.role], utf8.encode(name));
}

/** [ns][id u32]: the prefix of everything a relation owns in one namespace. */
export function relationPrefix(ns: Namespace, id: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = ns;
  new DataView(k.buffer).setUint32(1, id);
  return k;
}

/** [ns][id u32][n u64]: log entries and checkpoints. */
export function relationSeqKey(ns: Namespace, id: number, n: bigint): Uint8Array {
  const k = new Uint8Array(13);
  const v = new DataView(k.buffer);
  k[0] = ns;
  v.setUint32(1, id);
  v.setBigUint64(5, n);
  return k;
}

export const logKey = (relationId: number, seq: bigint): Uint8Array => relationSeqKey(NS.log, relationId, seq);
/** [STAGED][relation][stage]: a stage's commit mark, sorted just before its chunks. */
export const stageKey = (relationId: number, stage: bigint): Uint8Array => relationSeqKey(NS.staged, relationId, stage);

/** [STAGED][relation][stage][chunk u32]: one staged chunk. */
export function stagedChunkKey(relationId: number, stage: bigint, chunk: number): Uint8Array {
  const k = new Uint8Array(17);
  k.set(stageKey(relationId, stage), 0);
  new DataView(k.buffer).setUint32(13, chunk);
  return k;
}

export const checkpointKey = (queryId: number, epoch: number): Uint8Array =>
  relationSeqKey(NS.checkpoint, queryId, BigInt(epoch));
/** [EPOCH][query][epoch]: which entry of the query's own log an epoch appended (epochs with no change have none). */
export const epochEntryKey = (queryId: number, epoch: number): Uint8Array => relationSeqKey(NS.epoch, queryId, BigInt(epoch));
export const queryKey = (queryId: number): Uint8Array => relationPrefix(NS.query, queryId);
export const sourceKey = (relationId: number): Uint8Array => relationPrefix(NS.source, relationId);
export const floorKey = (relationId: number): Uint8Array => relationPrefix(NS.floor, relationId);

/** [ns][id u32][suffix]: state, result rows and table rows. */
export function relationBytesKey(ns: Namespace, id: number, suffix: Uint8Array): Uint8Array {
  const k = new Uint8Array(5 + suffix.length);
  k[0] = ns;
  new DataView(k.buffer).setUint32(1, id);
  k.set(suffix, 5);
  return k;
}

export const stateKey = (queryId: number, key: string): Uint8Array =>
  relationBytesKey(NS.state, queryId, utf8.encode(key));
export const resultKey = (queryId: number, key: Uint8Array): Uint8Array => relationBytesKey(NS.result, queryId, key);
export const rowKey = (tableId: number, key: Uint8Array): Uint8Array => relationBytesKey(NS.row, tableId, key);

export function deadLetterKey(seq: bigint): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = NS.dead;
  new DataView(k.buffer).setBigUint64(1, seq);
  return k;
}

/** The u64 at the end of a [ns][id][n] or [ns][n] key. */
export function trailingU64(key: Uint8Array): bigint {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(key.byteLength - 8);
}

/** The relation id of a [ns][id ...] key. */
export function keyRelationId(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
}

/** The bytes after [ns][id u32]. */
export function keySuffix(key: Uint8Array): Uint8Array {
  return key.subarray(5);
}

export function keySuffixText(key: Uint8Array): string {
  return utf8Decoder.decode(key.subarray(5));
}

export function catalogKeyName(key: Uint8Array): string {
  return utf8Decoder.decode(key.subarray(1));
}

/** The range {gte, lt} of every key that starts with `prefix`. */
export function prefixRange(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  const end = Uint8Array.from(prefix);
  let i = end.length - 1;
  while (i >= 0 && end[i] === 0xff) end[i--] = 0;
  if (i < 0) throw new RangeError('prefixRange: prefix of all 0xff bytes has no end');
  end[i]++;
  return { gte: prefix, lt: end.subarray(0, i + 1) };
}

export function namespaceRange(ns: Namespace): { gte: Uint8Array; lt: Uint8Array } {
  return prefixRange(Uint8Array.of(ns));
}

function concat(head: readonly number[], tail: Uint8Array): Uint8Array {
  const k = new Uint8Array(head.length + tail.length);
  k.set(head, 0);
  k.set(tail, head.length);
  return k;
}
