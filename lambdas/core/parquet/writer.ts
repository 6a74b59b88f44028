import { type PageCodec, pageCodec } from './chunk.js';
import type { ColumnEncoder, EncodedChunk, EncoderSettings } from './column.js';
import { giveBackEncoders, takeEncoders } from './encoder-pool.js';
import { FixedColumnEncoder } from './fixed-column.js';
import { type ChunkMeta, physicalTypeOf, type RowGroupMeta, writeFileMetaData } from './format.js';
import { sharedLevels } from './levels.js';
import { StringColumnEncoder } from './string-column.js';
import {
  type ByteSink,
  ByteSpans,
  type ColumnValues,
  NumberValues,
  type ParquetColumn,
  type ParquetWriterOptions,
} from './types.js';

const MAGIC = Buffer.from('PAR1', 'latin1');
// Rows encoded per column before moving to the next column. Strings built by a CSV parser lie in
// memory in row order; visiting a few thousand rows of every column keeps them in cache, where
// finishing one whole column first would re-read the row group from RAM for each column.
const ROW_BLOCK = 2048;

/**
 * Schemas as text, by the caller's array: a caller writing many small files passes the same one.
 * Only a frozen schema (array and columns) is remembered, as any other could change after.
 */
const schemaKeys = new WeakMap<readonly ParquetColumn[], string>();

function schemaKey(columns: readonly ParquetColumn[]): string {
  if (!Object.isFrozen(columns) || !columns.every(Object.isFrozen)) return JSON.stringify(columns);
  let key = schemaKeys.get(columns);
  if (key === undefined) {
    key = JSON.stringify(columns);
    schemaKeys.set(columns, key);
  }
  return key;
}

/**
 * Streams a Parquet file to a ByteSink one row group at a time. A row group is either written
 * whole (writeRowGroup) or built from blocks of rows (appendRows, then endRowGroup): each block is
 * encoded at once and not referenced afterwards, so a caller producing rows need hold only a block
 * of them, and its values die young instead of living as long as the row group.
 *
 * Memory: a row group's encoded (compressed) pages are held until the row group is complete,
 * then copied out column chunk by column chunk to the sink, which owns each copy. The encoding
 * buffers are reused by later row groups, so the writer keeps about the largest encoded row group
 * (up to twice that, as buffers grow by doubling), plus per column a page buffer of about
 * pageSizeBytes + 64 KiB, and per string column a dictionary of at most dictionaryMaxBytes and
 * 4 bytes per row of dictionary indices, and per column a byte per row of its open page for
 * definition levels. Of the data itself only footer metadata outlives a row group.
 */
export class ParquetWriter {
  private readonly columns: readonly ParquetColumn[];
  private readonly encoders: ColumnEncoder[];
  /** The schema and settings, under which the encoders go back to the pool once the file is done. */
  private readonly poolKey: string;
  private readonly codec: PageCodec;
  private readonly rowGroups: RowGroupMeta[] = [];
  private readonly keyValueMetadata: Record<string, string> | undefined;
  private readonly createdBy: string;
  private offset = 0;
  private rows = 0;
  /** Rows of the open row group, or -1 when none is open. */
  private groupRows = -1;
  private state: 'open' | 'busy' | 'closed' | 'failed' = 'open';

  constructor(
    private readonly sink: ByteSink,
    columns: readonly ParquetColumn[],
    options: ParquetWriterOptions = {},
  ) {
    if (columns.length === 0) throw new Error('a Parquet file needs at least one column');
    const names = new Set<string>();
    for (const c of columns) {
      if (names.has(c.name)) throw new Error(`duplicate Parquet column name "${c.name}"`);
      names.add(c.name);
    }
    const pageSizeBytes = options.pageSizeBytes ?? 1 << 20;
    if (!(pageSizeBytes >= 64))
      throw new RangeError(`pageSizeBytes must be at least 64, got ${pageSizeBytes}`);
    const settings: EncoderSettings = {
      pageSizeBytes,
      dictionary: options.dictionary ?? true,
      dictionaryMaxBytes: options.dictionaryMaxBytes ?? 1 << 20,
      byteStrings: options.byteStrings ?? false,
    };
    this.columns = Object.isFrozen(columns) ? columns : columns.slice();
    const codec = pageCodec(options.compression ?? 'snappy');
    this.codec = codec;
    this.keyValueMetadata = options.keyValueMetadata;
    this.createdBy = options.createdBy ?? 'bronze-ingest';
    const { dictionary, dictionaryMaxBytes, byteStrings } = settings;
    this.poolKey = `${schemaKey(columns)}|${pageSizeBytes}|${dictionary}|${dictionaryMaxBytes}|${byteStrings}|${codec.compression}`;
    this.encoders = takeEncoders(this.poolKey, () =>
      this.columns.map((c) =>
        c.type === 'string'
          ? new StringColumnEncoder(c, codec, sharedLevels, settings)
          : new FixedColumnEncoder(c, codec, sharedLevels, settings),
      ),
    );
  }

  /**
   * Writes one row group from column-major arrays (values[i] is column i, each rowCount long);
   * with a row group open (appendRows), the rows join it and end it.
   * A row count of 0 writes nothing: an empty row group carries no data and some readers reject one.
   * A row group rejected for its shape or a value that does not fit its column leaves the writer
   * usable, as nothing of it reached the sink; a failing sink leaves the writer failed.
   */
  async writeRowGroup(values: readonly ColumnValues[], rowCount: number): Promise<void> {
    await this.appendRows(values, rowCount);
    await this.endRowGroup();
  }

  /**
   * Encodes a block of rows (column-major, as for writeRowGroup) into the open row group, opening
   * one if needed. Keeps no reference to `values`. A block of the wrong shape is rejected whole and
   * changes nothing; a value that does not fit its column drops the whole open row group (none of
   * which has reached the sink) and leaves the writer usable.
   */
  async appendRows(values: readonly ColumnValues[], rowCount: number): Promise<void> {
    this.enter();
    try {
      this.checkShape(values, rowCount);
      if (rowCount > 0) this.encode(values, rowCount);
    } catch (err) {
      this.groupRows = -1;
      throw err;
    } finally {
      this.state = 'open';
    }
  }

  /** Writes out the open row group, if any (one of 0 rows is dropped, see writeRowGroup). */
  async endRowGroup(): Promise<void> {
    this.enter();
    try {
      await this.endGroup();
      this.state = 'open';
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  private async endGroup(): Promise<void> {
    const rowCount = this.groupRows;
    if (rowCount <= 0) {
      this.groupRows = -1;
      return;
    }
    // Encoding failures surface in appendRows; finishing only flushes what is already checked.
    const chunks = this.encoders.map((e) => e.finish());
    this.groupRows = -1;
    await this.emitRowGroup(chunks, rowCount);
  }

  /**
   * Writes the footer and returns the totals. A file with zero row groups is valid Parquet.
   * `keyValueMetadata` is merged over the constructor's, for facts known only at the end (row counts).
   */
  async close(keyValueMetadata?: Record<string, string>): Promise<{ rows: number; bytes: number }> {
    this.enter();
    try {
      await this.endGroup();
      if (this.offset === 0) await this.emit(MAGIC);
      const metadata = keyValueMetadata
        ? { ...this.keyValueMetadata, ...keyValueMetadata }
        : this.keyValueMetadata;
      const footer = writeFileMetaData(this.columns, this.rowGroups, metadata, this.createdBy);
      const tail = Buffer.allocUnsafe(footer.length + 8);
      tail.set(footer, 0);
      tail.writeUInt32LE(footer.length, footer.length);
      MAGIC.copy(tail, footer.length + 4);
      await this.emit(tail);
      this.state = 'closed';
      giveBackEncoders(this.poolKey, this.encoders);
      return { rows: this.rows, bytes: this.offset };
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  private enter(): void {
    if (this.state === 'busy')
      throw new Error('ParquetWriter: a call is already in progress; await it first');
    if (this.state === 'closed') throw new Error('ParquetWriter is closed');
    if (this.state === 'failed') throw new Error('ParquetWriter failed earlier; the output is incomplete');
    this.state = 'busy';
  }

  private checkShape(values: readonly ColumnValues[], rowCount: number): void {
    if (!Number.isSafeInteger(rowCount) || rowCount < 0 || rowCount > 0x7fffffff) {
      throw new RangeError(`invalid row count ${rowCount}`);
    }
    if (values.length !== this.columns.length) {
      throw new Error(`expected ${this.columns.length} columns of values, got ${values.length}`);
    }
    values.forEach((v, i) => {
      if (v instanceof ByteSpans && this.columns[i]!.type !== 'string') {
        throw new Error(
          `column "${this.columns[i]!.name}" is ${this.columns[i]!.type}: only a string column takes ByteSpans`,
        );
      }
      if (v instanceof NumberValues) {
        if (this.columns[i]!.type === 'string') {
          throw new Error(
            `column "${this.columns[i]!.name}" is string: a string column does not take NumberValues`,
          );
        }
        if (v.values.length < v.length || v.present.length < v.length) {
          throw new Error(
            `column "${this.columns[i]!.name}": NumberValues arrays are shorter than its ${v.length} rows`,
          );
        }
      }
      if (v.length !== rowCount) {
        throw new Error(`column "${this.columns[i]!.name}" has ${v.length} values, expected ${rowCount}`);
      }
    });
  }

  private encode(values: readonly ColumnValues[], rowCount: number): void {
    const encoders = this.encoders;
    if (this.groupRows < 0) {
      for (const e of encoders) e.begin();
      this.groupRows = 0;
    }
    for (let start = 0; start < rowCount; start += ROW_BLOCK) {
      const end = Math.min(rowCount, start + ROW_BLOCK);
      for (let c = 0; c < encoders.length; c++) encoders[c]!.encode(values[c]!, start, end);
    }
    this.groupRows += rowCount;
  }

  /**
   * Hands the sink the row group (after the file's magic, for the first) as one exact-size copy it
   * may keep, since the chunk buffers are reused by the next row group: one write instead of one
   * per column, which on a file of a few rows cost more than the copying.
   */
  private async emitRowGroup(chunks: EncodedChunk[], rowCount: number): Promise<void> {
    const magic = this.offset === 0 ? MAGIC.length : 0;
    let size = magic;
    for (const chunk of chunks) size += chunk.pages.compressedSize;
    const out = Buffer.allocUnsafe(size);
    if (magic) MAGIC.copy(out, 0);
    const groupStart = this.offset + magic;
    const metas: ChunkMeta[] = [];
    let totalByteSize = 0;
    let at = magic;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      const pages = chunk.pages;
      const start = groupStart + at - magic;
      out.set(pages.bytes(), at);
      at += pages.compressedSize;
      totalByteSize += pages.uncompressedSize;
      metas.push({
        physicalType: physicalTypeOf(this.columns[c]!),
        encodings: chunk.encodings,
        path: this.columns[c]!.name,
        codec: this.codec.codec,
        numValues: rowCount,
        uncompressedSize: pages.uncompressedSize,
        compressedSize: pages.compressedSize,
        dataPageOffset: start + pages.dictionaryBytes,
        ...(pages.dictionaryPages ? { dictionaryPageOffset: start } : {}),
        fileOffset: start,
        statistics: chunk.statistics,
        encodingStats: pages.encodingStats(),
      });
    }
    await this.emit(out);
    this.rowGroups.push({
      columns: metas,
      numRows: rowCount,
      totalByteSize,
      totalCompressedSize: this.offset - groupStart,
      fileOffset: groupStart,
    });
    this.rows += rowCount;
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    this.offset += bytes.length;
    await this.sink.write(bytes);
  }
}
