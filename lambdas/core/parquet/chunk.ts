import { gzipSync } from 'node:zlib';
import { ByteBuf } from './bytes.js';
import { Codec, Encoding, PageType, writeDataPageHeader, writeDictionaryPageHeader } from './format.js';
import { snappyCompress } from './snappy.js';
import { ThriftWriter } from './thrift.js';
import type { ParquetCompression } from './types.js';

// On CSV-like pages level 1 runs about 5x faster than the default level 6 for about 20% more bytes.
const GZIP_LEVEL = 1;
// Buffers start this small and grow with the data: a file of a few rows should not pay for a
// page or a chunk sized for the largest one.
export const INITIAL_BUFFER_BYTES = 1024;
// A buffer kept for the next file (see encoder-pool.ts) is cut back to this when it grew past it.
export const RETAINED_BUFFER_BYTES = 64 * 1024;

/**
 * Compression and page-header scratch shared by all columns of all writers: it is used
 * synchronously, each result copied before the next call. See pageCodec().
 */
export class PageCodec {
  readonly codec: number;
  readonly header = new ThriftWriter(64);
  private readonly out = new ByteBuf(INITIAL_BUFFER_BYTES);

  constructor(readonly compression: ParquetCompression) {
    this.codec = Codec[compression];
  }

  /** The compressed page body: a view valid until the next call. */
  compress(body: Uint8Array): Uint8Array {
    if (this.compression === 'none') return body;
    if (this.compression === 'gzip') return gzipSync(body, { level: GZIP_LEVEL });
    this.out.pos = 0;
    snappyCompress(body, this.out);
    return this.out.view();
  }
}

const codecs = new Map<ParquetCompression, PageCodec>();

/** The process's one PageCodec for a compression, so that every file reuses its scratch. */
export function pageCodec(compression: ParquetCompression): PageCodec {
  let codec = codecs.get(compression);
  if (!codec) {
    codec = new PageCodec(compression);
    codecs.set(compression, codec);
  }
  return codec;
}

/**
 * Collects one column chunk's pages (header + compressed body each) in a buffer reused from one
 * row group to the next, so it grows once rather than for every chunk.
 */
export class ChunkBuilder {
  private readonly out = new ByteBuf(INITIAL_BUFFER_BYTES);
  uncompressedSize = 0;
  compressedSize = 0;
  dictionaryBytes = 0;
  dictionaryPages = 0;
  dataPages = 0;
  dataEncoding: number = Encoding.PLAIN;

  constructor(private readonly codec: PageCodec) {}

  /** The chunk's bytes so far: a view valid until the next reset(). */
  bytes(): Uint8Array {
    return this.out.view();
  }

  /** Empties the chunk and lets its buffer go if a large file grew it (for reuse by another file). */
  recycle(): void {
    this.out.recycle(RETAINED_BUFFER_BYTES);
  }

  reset(): void {
    this.out.pos = 0;
    this.uncompressedSize = 0;
    this.compressedSize = 0;
    this.dictionaryBytes = 0;
    this.dictionaryPages = 0;
    this.dataPages = 0;
    this.dataEncoding = Encoding.PLAIN;
  }

  /** Adds the dictionary page; must come before any data page. */
  dictionaryPage(body: Uint8Array, numValues: number): void {
    const compressed = this.codec.compress(body);
    writeDictionaryPageHeader(this.codec.header, body.length, compressed.length, numValues);
    this.dictionaryBytes = this.add(body.length, compressed);
    this.dictionaryPages = 1;
  }

  /** Adds a data page v1 whose body is levels followed by values. */
  dataPage(body: Uint8Array, numValues: number, encoding: number): void {
    const compressed = this.codec.compress(body);
    writeDataPageHeader(this.codec.header, body.length, compressed.length, numValues, encoding);
    this.add(body.length, compressed);
    this.dataPages++;
    this.dataEncoding = encoding;
  }

  private add(uncompressed: number, compressed: Uint8Array): number {
    const header = this.codec.header.bytes();
    const out = this.out;
    const size = header.length + compressed.length;
    out.ensure(size);
    out.buf.set(header, out.pos);
    out.buf.set(compressed, out.pos + header.length);
    out.pos += size;
    this.uncompressedSize += header.length + uncompressed;
    this.compressedSize += size;
    return size;
  }

  /** [pageType, encoding, count] for the column metadata. */
  encodingStats(): [number, number, number][] {
    const stats: [number, number, number][] = [];
    if (this.dictionaryPages) stats.push([PageType.DICTIONARY_PAGE, Encoding.PLAIN, this.dictionaryPages]);
    if (this.dataPages) stats.push([PageType.DATA_PAGE, this.dataEncoding, this.dataPages]);
    return stats;
  }
}
