export type {
  ByteSink,
  ColumnValues,
  ParquetColumn,
  ParquetColumnType,
  ParquetCompression,
  ParquetWriterOptions,
} from './types.js';
export { ByteSpans, NumberValues } from './types.js';
export { ParquetWriter } from './writer.js';
