// The storage layer's public surface. See docs/durability.md for the data directory layout and the promise.

export { Store, FORMAT_VERSION } from './store';
export type { StoredDef, CatalogChange, NamedDef } from './catalog-store';
export type { LogEntry, LogListener, RelationAppend, RowPut, TableRow, SourcePositions } from './logs';
export type { StagedLogEntry } from './staging';
export type { EpochCommit, LoadedQuery, Checkpoint, Offsets, ResultRow } from './epochs';
export { CHECKPOINTS_KEPT } from './epochs';
export type { DeadLetter, StoredDeadLetter } from './dead-letters';
export type { StoreLog } from './db-io';
export { StorageError, type StorageErrorReason } from './errors';
export { DAMAGE_MARKER } from './open-db';
export { sealable } from './frame';
export { MARKER_FILE, readMarker, verifyMarker, wentBackwards, type DurableFigures } from './marker';
