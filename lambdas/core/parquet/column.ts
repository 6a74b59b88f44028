import type { ChunkBuilder } from './chunk.js';
import type { ChunkStatistics } from './format.js';
import type { ColumnValues, ParquetColumn } from './types.js';

/** One column chunk's encoded pages and what the footer needs to know about them. */
export interface EncodedChunk {
  readonly pages: ChunkBuilder;
  readonly encodings: number[];
  readonly statistics: ChunkStatistics;
}

/**
 * Encodes one column of successive row groups. For each row group: begin(), then encode() once per
 * block of rows (values[start..end) are the group's next rows), then finish(). An encoder keeps
 * no reference to a block's values once encode() returns, so the caller may reuse or drop them.
 */
export interface ColumnEncoder {
  begin(): void;
  encode(values: ColumnValues, start: number, end: number): void;
  finish(): EncodedChunk;
  /**
   * Readies the encoder for another file of the same columns: forgets what this file taught it
   * (a dictionary given up) and lets buffers a large file grew go. Encoders without it are not reused.
   */
  recycle?(): void;
}

/** Settings every column encoder shares. */
export interface EncoderSettings {
  readonly pageSizeBytes: number;
  readonly dictionary: boolean;
  readonly dictionaryMaxBytes: number;
  readonly byteStrings: boolean;
}

/** The error for a value that does not fit its column; names the column and the row in the group. */
export function badValue(column: ParquetColumn, row: number, value: unknown, expected: string): Error {
  if (value === null)
    return new TypeError(`parquet column "${column.name}" is not nullable but row ${row} is null`);
  return new TypeError(
    `parquet column "${column.name}" expects ${expected} at row ${row}, got ${typeof value}`,
  );
}
