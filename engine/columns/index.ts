// The engine's column helpers in one import: Arrow types of SQL types, batches from and to rows, Vecs (the working
// form expressions and aggregates compute on) and the raw int64 readers for hot loops.

export { arrowTypeOf, arrowFieldOf, arrowSchemaOf, vecFromData, dataFromVec, int32View, readI64, writeI64 } from './arrow';
export {
  batchFromData, batchFromRows, batchFromVecs, columnData, concatBatches, dataFromValues, emptyBatch, rowsFromBatch, takeBatch,
  valuesFromData,
} from './rows';
export { takeData, concatData } from './take';
export { constantVec, takeVec, valueAt, vecFromValues, REPR, type Vec } from './vec';
