import { ThriftWriter, TType } from './thrift.js';
import type { ParquetColumn, ParquetCompression } from './types.js';

/** Parquet enum values (parquet.thrift) used by this writer. */
export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
} as const;
export const Encoding = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
export const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const;
const ConvertedType = { UTF8: 0, DECIMAL: 5, DATE: 6, TIMESTAMP_MICROS: 10 } as const;
export const Codec = { none: 0, snappy: 1, gzip: 2 } as const satisfies Record<ParquetCompression, number>;

/** Statistics of one column chunk; min/max are already in Parquet's PLAIN byte form. */
export interface ChunkStatistics {
  nullCount: number;
  min?: Uint8Array;
  max?: Uint8Array;
  /** Also write the legacy min/max fields, whose signed order matches for numeric types. */
  legacy: boolean;
}

export interface ChunkMeta {
  physicalType: number;
  encodings: number[];
  path: string;
  codec: number;
  numValues: number;
  uncompressedSize: number;
  compressedSize: number;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  /** Chunk start in the file: the dictionary page if any, else the first data page. */
  fileOffset: number;
  statistics: ChunkStatistics;
  /** [pageType, encoding, count] triples. */
  encodingStats: [number, number, number][];
}

export interface RowGroupMeta {
  columns: ChunkMeta[];
  numRows: number;
  totalByteSize: number;
  totalCompressedSize: number;
  fileOffset: number;
}

/** The physical type a column is stored as. */
export function physicalTypeOf(column: ParquetColumn): number {
  switch (column.type) {
    case 'string':
      return PhysicalType.BYTE_ARRAY;
    case 'int32':
    case 'date':
      return PhysicalType.INT32;
    case 'int64':
    case 'timestamp_micros':
      return PhysicalType.INT64;
    case 'double':
      return PhysicalType.DOUBLE;
    case 'boolean':
      return PhysicalType.BOOLEAN;
    case 'decimal': {
      const precision = decimalPrecision(column);
      if (precision <= 9) return PhysicalType.INT32;
      return precision <= 18 ? PhysicalType.INT64 : PhysicalType.FIXED_LEN_BYTE_ARRAY;
    }
  }
}

/** A decimal column's precision, checked: 1 to 38, with a scale of 0 to the precision. */
export function decimalPrecision(column: ParquetColumn): number {
  const { precision, scale } = column;
  if (precision === undefined || !Number.isInteger(precision) || precision < 1 || precision > 38)
    throw new RangeError(`decimal column "${column.name}" needs a precision of 1 to 38, got ${precision}`);
  if (scale === undefined || !Number.isInteger(scale) || scale < 0 || scale > precision)
    throw new RangeError(`decimal column "${column.name}" needs a scale of 0 to ${precision}, got ${scale}`);
  return precision;
}

/** Bytes of a FIXED_LEN_BYTE_ARRAY decimal: the fewest whose signed range holds 10^precision - 1. */
export function decimalByteLength(precision: number): number {
  const largest = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while ((1n << BigInt(8 * bytes - 1)) - 1n < largest) bytes++;
  return bytes;
}

/** Serializes a data page v1 header (levels RLE-encoded). */
export function writeDataPageHeader(
  t: ThriftWriter,
  uncompressedSize: number,
  compressedSize: number,
  numValues: number,
  encoding: number,
): void {
  t.reset();
  t.i32(1, PageType.DATA_PAGE);
  t.i32(2, uncompressedSize);
  t.i32(3, compressedSize);
  t.structBegin(5);
  t.i32(1, numValues);
  t.i32(2, encoding);
  t.i32(3, Encoding.RLE);
  t.i32(4, Encoding.RLE);
  t.structEnd();
  t.end();
}

/** Serializes a dictionary page header (PLAIN-encoded entries). */
export function writeDictionaryPageHeader(
  t: ThriftWriter,
  uncompressedSize: number,
  compressedSize: number,
  numValues: number,
): void {
  t.reset();
  t.i32(1, PageType.DICTIONARY_PAGE);
  t.i32(2, uncompressedSize);
  t.i32(3, compressedSize);
  t.structBegin(7);
  t.i32(1, numValues);
  t.i32(2, Encoding.PLAIN);
  t.structEnd();
  t.end();
}

function writeSchemaElement(t: ThriftWriter, column: ParquetColumn): void {
  t.elementStructBegin();
  const physical = physicalTypeOf(column);
  t.i32(1, physical);
  if (physical === PhysicalType.FIXED_LEN_BYTE_ARRAY) t.i32(2, decimalByteLength(column.precision!));
  t.i32(3, column.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED);
  t.string(4, column.name);
  if (column.type === 'decimal') {
    t.i32(6, ConvertedType.DECIMAL);
    t.i32(7, column.scale!);
    t.i32(8, column.precision!);
    t.structBegin(10); // LogicalType union
    t.structBegin(5); // DECIMAL
    t.i32(1, column.scale!);
    t.i32(2, column.precision!);
    t.structEnd();
    t.structEnd();
  } else if (column.type === 'date') {
    t.i32(6, ConvertedType.DATE);
    t.structBegin(10); // LogicalType union
    t.structBegin(6); // DATE
    t.structEnd();
    t.structEnd();
  } else if (column.type === 'string') {
    t.i32(6, ConvertedType.UTF8);
    t.structBegin(10); // LogicalType union
    t.structBegin(1); // STRING
    t.structEnd();
    t.structEnd();
  } else if (column.type === 'timestamp_micros') {
    t.i32(6, ConvertedType.TIMESTAMP_MICROS);
    t.structBegin(10); // LogicalType union
    t.structBegin(8); // TIMESTAMP
    t.bool(1, true); // isAdjustedToUTC
    t.structBegin(2); // unit: TimeUnit union
    t.structBegin(2); // MICROS
    t.structEnd();
    t.structEnd();
    t.structEnd();
    t.structEnd();
  }
  t.structEnd();
}

function writeStatistics(t: ThriftWriter, s: ChunkStatistics): void {
  t.structBegin(12);
  if (s.legacy && s.max && s.min) {
    t.binary(1, s.max);
    t.binary(2, s.min);
  }
  t.i64(3, s.nullCount);
  if (s.max) t.binary(5, s.max);
  if (s.min) t.binary(6, s.min);
  t.structEnd();
}

function writeColumnChunk(t: ThriftWriter, c: ChunkMeta): void {
  t.elementStructBegin();
  t.i64(2, c.fileOffset);
  t.structBegin(3);
  t.i32(1, c.physicalType);
  t.listBegin(2, TType.I32, c.encodings.length);
  for (const e of c.encodings) t.elementI32(e);
  t.listBegin(3, TType.Binary, 1);
  t.elementString(c.path);
  t.i32(4, c.codec);
  t.i64(5, c.numValues);
  t.i64(6, c.uncompressedSize);
  t.i64(7, c.compressedSize);
  t.i64(9, c.dataPageOffset);
  if (c.dictionaryPageOffset !== undefined) t.i64(11, c.dictionaryPageOffset);
  writeStatistics(t, c.statistics);
  t.listBegin(13, TType.Struct, c.encodingStats.length);
  for (const [pageType, encoding, count] of c.encodingStats) {
    t.elementStructBegin();
    t.i32(1, pageType);
    t.i32(2, encoding);
    t.i32(3, count);
    t.structEnd();
  }
  t.structEnd();
  t.structEnd();
}

/** Serializes FileMetaData, the footer body. */
export function writeFileMetaData(
  columns: readonly ParquetColumn[],
  rowGroups: readonly RowGroupMeta[],
  keyValueMetadata: Record<string, string> | undefined,
  createdBy: string,
): Uint8Array {
  const t = new ThriftWriter(1024 + rowGroups.length * columns.length * 96);
  t.i32(1, 1);
  t.listBegin(2, TType.Struct, columns.length + 1);
  t.elementStructBegin();
  t.string(4, 'schema');
  t.i32(5, columns.length);
  t.structEnd();
  for (const column of columns) writeSchemaElement(t, column);
  let rows = 0;
  for (const g of rowGroups) rows += g.numRows;
  t.i64(3, rows);
  t.listBegin(4, TType.Struct, rowGroups.length);
  rowGroups.forEach((g, ordinal) => {
    t.elementStructBegin();
    t.listBegin(1, TType.Struct, g.columns.length);
    for (const c of g.columns) writeColumnChunk(t, c);
    t.i64(2, g.totalByteSize);
    t.i64(3, g.numRows);
    t.i64(5, g.fileOffset);
    t.i64(6, g.totalCompressedSize);
    if (ordinal < 0x8000) t.i16(7, ordinal);
    t.structEnd();
  });
  const entries = Object.entries(keyValueMetadata ?? {});
  if (entries.length > 0) {
    t.listBegin(5, TType.Struct, entries.length);
    for (const [key, value] of entries) {
      t.elementStructBegin();
      t.string(1, key);
      t.string(2, value);
      t.structEnd();
    }
  }
  t.string(6, createdBy);
  // TYPE_ORDER for every column tells readers min_value/max_value follow the type's order
  // (unsigned byte-wise for strings, signed for integers, dates and decimals, FIXED_LEN_BYTE_ARRAY
  // decimals included: their bounds are compared as signed big-endian numbers).
  t.listBegin(7, TType.Struct, columns.length);
  for (let i = 0; i < columns.length; i++) {
    t.elementStructBegin();
    t.structBegin(1);
    t.structEnd();
    t.structEnd();
  }
  t.end();
  return t.bytes();
}
