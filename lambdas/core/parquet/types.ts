/** Public types of the Parquet writer. */

export type ParquetColumnType =
  | 'string'
  | 'int32'
  | 'int64'
  | 'double'
  | 'boolean'
  | 'timestamp_micros'
  | 'date'
  | 'decimal';

export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetColumnType;
  readonly nullable: boolean;
  /** decimal: total digits, 1 to 38 (INT32 up to 9, INT64 up to 18, FIXED_LEN_BYTE_ARRAY above). */
  readonly precision?: number;
  /** decimal: digits after the point, 0 to precision. */
  readonly scale?: number;
}

/** Where the bytes go; may return a Promise for backpressure (an S3 multipart writer does). */
export interface ByteSink {
  /** The writer never touches a chunk again once it is passed here, so the sink may keep it. */
  write(chunk: Uint8Array): Promise<void> | void;
}

export type ParquetCompression = 'snappy' | 'gzip' | 'none';

/**
 * One column's values, one per row, null for a missing value. int64 and timestamp_micros take
 * bigints or safe-integer numbers (mixed if need be), double numbers, string strings. int32 and
 * date (days since 1970-01-01) take int32 numbers. decimal takes the unscaled integer (123.45 at
 * scale 2 is 12345) as a safe-integer number or a bigint. string also takes ByteSpans, and every
 * other type NumberValues.
 */
export type ColumnValues =
  | (string | null)[]
  | ByteSpans
  | NumberValues
  | (bigint | null)[]
  | (number | null)[]
  | (bigint | number | null)[]
  | (boolean | null)[];

export interface ParquetWriterOptions {
  /** Page compression; default 'snappy'. */
  compression?: ParquetCompression;
  /** Written in the footer's key_value_metadata. */
  keyValueMetadata?: Record<string, string>;
  /** Footer `created_by`; default 'bronze-ingest'. */
  createdBy?: string;
  /** Target uncompressed data page size; default 1 MiB. */
  pageSizeBytes?: number;
  /**
   * Dictionary-encode string columns while their dictionary stays small; default true.
   * A column whose dictionary outgrows the cap, or whose values are mostly distinct, falls back to PLAIN.
   */
  dictionary?: boolean;
  /** Largest PLAIN-encoded dictionary per column chunk before falling back; default 1 MiB. */
  dictionaryMaxBytes?: number;
  /**
   * String values are byte text: one character per byte of their UTF-8 encoding (as
   * `Buffer#toString('latin1')` makes), written as they are; default false (JS strings, encoded
   * to UTF-8). A CSV decoded this way never needs re-encoding.
   */
  byteStrings?: boolean;
}

/**
 * A string column's values as spans of one buffer of UTF-8 bytes: row i is bytes[starts[i],
 * ends[i]), or null when starts[i] is -1. A caller that holds the bytes already (a CSV reader)
 * hands them over without making a string per value; the writer copies them before it returns.
 */
export class ByteSpans {
  private dataView: DataView | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
    /** Rows: the arrays may be longer. */
    readonly length: number,
  ) {}

  /** A DataView over `bytes`, for reading them four at a time. */
  get view(): DataView {
    this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.dataView;
  }
}

/**
 * A column's values as numbers in a Float64Array: row i is values[i], or null when present[i] is
 * 0 (its number is then ignored). Any column but a string one takes them, each number as its
 * column takes numbers in an array; a boolean column takes 1 (true) and 0 (false). A caller that
 * reads numbers row by row (a CSV converter) fills arrays it reuses, with no array growing or
 * number boxed per value; the writer reads them before it returns.
 */
export class NumberValues {
  constructor(
    readonly values: Float64Array,
    readonly present: Uint8Array,
    /** Rows: the arrays may be longer. */
    readonly length: number,
  ) {}
}
