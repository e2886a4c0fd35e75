// The compression codecs of Kafka record batches, registered with kafkajs (which ships only gzip: a batch in another
// codec fails every fetch, and the source sits 'waiting' forever). All are pure JavaScript, so nothing is built or
// downloaded at install time: snappyjs (snappy), lz4js (LZ4 frames, the format Kafka uses since record batch v2) and
// fzstd (zstd, decompression only). Node 20's zlib has no zstd, so a sink can compress with zstd only on a Node whose
// zlib has it (22.15 and later); elsewhere `compression = 'zstd'` is refused.

import * as zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

export type SinkCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

interface Snappy {
  compress(data: Buffer): Buffer;
  uncompress(data: Buffer): Buffer;
}
interface Lz4 {
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}
interface Zstd {
  decompress(data: Uint8Array): Uint8Array;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires -- none of the three ships type declarations we can use
const snappy: Snappy = require('snappyjs');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const lz4: Lz4 = require('lz4js');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const fzstd: Zstd = require('fzstd');

/** Node's own zstd compressor, where its zlib has one. */
const zstdCompressSync = (zlib as unknown as { zstdCompressSync?: (data: Buffer) => Buffer }).zstdCompressSync;

export function zstdCompressionAvailable(): boolean {
  return zstdCompressSync !== undefined;
}

/** kafkajs hands compress() its encoder; only the bytes matter. */
interface Encoder {
  readonly buffer: Buffer;
}

interface Codec {
  compress(encoder: Encoder): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

/** Java's producer frames snappy the way snappy-java does ("xerial"); librdkafka sends a plain snappy block. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function snappyUncompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return snappy.uncompress(data);
  }
  // After the header: blocks, each a 4-byte big-endian length and that many bytes of plain snappy.
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < data.length;) {
    const length = data.readUInt32BE(at);
    at += 4;
    blocks.push(snappy.uncompress(data.subarray(at, at + length)));
    at += length;
  }
  return Buffer.concat(blocks);
}

function bytes(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const snappyCodec: Codec = {
  compress: async (encoder) => snappy.compress(encoder.buffer),
  decompress: async (data) => snappyUncompress(data),
};

const lz4Codec: Codec = {
  compress: async (encoder) => bytes(lz4.compress(encoder.buffer)),
  decompress: async (data) => bytes(lz4.decompress(data)),
};

const zstdCodec: Codec = {
  compress: async (encoder) => {
    if (zstdCompressSync === undefined) throw new Error('this Node has no zstd compressor');
    return zstdCompressSync(encoder.buffer);
  },
  decompress: async (data) => bytes(fzstd.decompress(data)),
};

/** Registers the codecs kafkajs lacks; kafkajs keeps them in one table for the whole process. */
export function registerCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;
}

/** The kafkajs compression of a sink's `compression` option. */
export function compressionType(c: SinkCompression): CompressionTypes {
  switch (c) {
    case 'none': return CompressionTypes.None;
    case 'gzip': return CompressionTypes.GZIP;
    case 'snappy': return CompressionTypes.Snappy;
    case 'lz4': return CompressionTypes.LZ4;
    case 'zstd': return CompressionTypes.ZSTD;
  }
}
