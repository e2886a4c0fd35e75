// One record batch as an Arrow IPC stream: the bytes of tableToIPC(new Table([batch]), 'stream'), byte for byte, but
// with the schema message encoded once per schema instead of once per batch.
//
//   schema message · record batch message · body buffers · end-of-stream marker (-1, 0)
//   a message: continuation marker (-1) · int32 length · Message flatbuffer · zero padding to 8 bytes
//
// Every log entry of a relation has the same schema, and for small batches encoding that schema flatbuffer was most
// of the work. The framing here mirrors apache-arrow's RecordBatchWriter (ipc/writer: _writeMessage,
// _writeBodyBuffers, _writeFooter); test/engine/codecs.test.ts holds it equal to tableToIPC's output, so an Arrow
// upgrade that changes either side fails there rather than writing something else to disk.

import { type DataType, type Field, type RecordBatch, type Schema, Table, tableToIPC } from 'apache-arrow';
import { Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';

const CONTINUATION = -1;
const PREFIX = 8; // continuation marker + length
const END_OF_STREAM = 8; // continuation marker + zero length
/** Relations in use at once, comfortably; past it the oldest schema is dropped and re-encoded when next seen. */
const MAX_CACHED_SCHEMAS = 256;

const schemaMessages = new Map<string, Uint8Array>();
/**
 * Most batches share their Schema object (engine/columns/arrow.ts caches one per plan schema), so the object is looked
 * up first; building the key costs about as much as the rest of a small batch's encoding.
 */
const schemaMessageOf = new WeakMap<Schema, Uint8Array>();

/** The IPC stream's byte length, and a writer that puts it at `offset` of an array at least that long. */
export interface BatchStream {
  readonly byteLength: number;
  writeInto(out: Uint8Array, offset: number): void;
}

export function batchStream(batch: RecordBatch): BatchStream {
  if (batch.dictionaries.size > 0) {
    // Dictionary messages would go between schema and batch; Sluice never makes dictionary columns, so such a batch
    // (from outside the engine) takes Arrow's own writer rather than a second framing path here.
    const ipc = tableToIPC(new Table([batch]), 'stream');
    return { byteLength: ipc.length, writeInto: (out, offset) => out.set(ipc, offset) };
  }
  const schema = schemaMessage(batch.schema);
  const body = VectorAssembler.assemble(batch);
  const header = new RecordBatchHeader(batch.numRows, body.nodes, body.bufferRegions, null,
    body.variadicBufferCounts, batch.metadata);
  const message = Message.encode(Message.from(header, body.byteLength));
  const messageLength = framedLength(message);
  return {
    byteLength: schema.length + messageLength + body.byteLength + END_OF_STREAM,
    writeInto(out, offset) {
      out.set(schema, offset);
      let at = offset + schema.length;
      writeFramed(out, at, message);
      at += messageLength;
      at = writeBody(out, at, body.buffers);
      writeInt32(out, at, CONTINUATION);
      writeInt32(out, at + 4, 0);
    },
  };
}

function schemaMessage(schema: Schema): Uint8Array {
  let framed = schemaMessageOf.get(schema);
  if (framed !== undefined) return framed;
  const key = schemaKey(schema);
  framed = schemaMessages.get(key);
  if (framed === undefined) {
    const message = Message.encode(Message.from(schema));
    framed = new Uint8Array(framedLength(message));
    writeFramed(framed, 0, message);
    if (schemaMessages.size >= MAX_CACHED_SCHEMAS) schemaMessages.delete(schemaMessages.keys().next().value!);
    schemaMessages.set(key, framed);
  }
  schemaMessageOf.set(schema, framed);
  return framed;
}

/**
 * Everything the schema message encodes: field names, nullability, metadata and types with all their parameters.
 * Types are described by their own properties (Timestamp's unit and timezone, Int's width and sign, children…), so a
 * type this file has never heard of still gets a key that tells it apart. JSON keeps names containing any character
 * unambiguous.
 */
function schemaKey(schema: Schema): string {
  return JSON.stringify([[...schema.metadata], schema.metadataVersion, schema.fields.map(fieldKey)]);
}

function fieldKey(field: Field): unknown {
  return [field.name, field.nullable, [...field.metadata], typeKey(field.type)];
}

function typeKey(type: DataType): unknown {
  const parts: unknown[] = [type.typeId];
  for (const [property, value] of Object.entries(type)) {
    if (property === 'children') parts.push(property, (value as Field[]).map(fieldKey));
    else if (value !== null && typeof value === 'object' && 'typeId' in value) parts.push(property, typeKey(value as DataType));
    else if (ArrayBuffer.isView(value)) parts.push(property, [...(value as Int32Array)]);
    else parts.push(property, value);
  }
  return parts;
}

function framedLength(message: Uint8Array): number {
  return (message.length + PREFIX + 7) & ~7;
}

/** A message as the IPC stream frames it; the padding stays zero because `out` is freshly allocated. */
function writeFramed(out: Uint8Array, offset: number, message: Uint8Array): void {
  writeInt32(out, offset, CONTINUATION);
  writeInt32(out, offset + 4, framedLength(message) - PREFIX);
  out.set(message, offset + PREFIX);
}

/** Each non-empty buffer, padded to 8 bytes: the layout the batch message's buffer regions describe. */
function writeBody(out: Uint8Array, offset: number, buffers: readonly ArrayBufferView[]): number {
  let at = offset;
  for (const buffer of buffers) {
    if (buffer.byteLength === 0) continue;
    out.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), at);
    at += (buffer.byteLength + 7) & ~7;
  }
  return at;
}

function writeInt32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = (value >>> 24) & 0xff;
}
