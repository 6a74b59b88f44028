import { ByteBuf } from './bytes.js';
import { ChunkBuilder, INITIAL_BUFFER_BYTES, type PageCodec, RETAINED_BUFFER_BYTES } from './chunk.js';
import { badValue, type ColumnEncoder, type EncodedChunk, type EncoderSettings } from './column.js';
import { decimalByteLength, Encoding, PhysicalType, physicalTypeOf } from './format.js';
import { fitLevels, LEVELS_GAP, type LevelsEncoder } from './levels.js';
import { type ColumnValues, NumberValues, type ParquetColumn } from './types.js';

/** What a column of each physical type takes, for the message refusing another value. */
const EXPECTED: Partial<Record<number, string>> = {
  [PhysicalType.INT32]: 'an int32 number',
  [PhysicalType.DOUBLE]: 'a number',
  [PhysicalType.BOOLEAN]: 'a boolean',
};

/**
 * PLAIN INT32 (int32, date, decimal up to 9 digits), INT64 (int64, timestamp_micros, decimal up
 * to 18 digits), FIXED_LEN_BYTE_ARRAY (decimal up to 38 digits), DOUBLE and BOOLEAN columns. Values
 * go straight into the page buffer after the levels gap; a page holds pageSizeBytes worth of
 * values. INT64 takes bigints and safe-integer numbers, the latter stored as two 32-bit words
 * without allocating a bigint.
 */
export class FixedColumnEncoder implements ColumnEncoder {
  private readonly pages: ChunkBuilder;
  private readonly page: ByteBuf;
  private i64!: BigInt64Array;
  private u32!: Uint32Array;
  private f64!: Float64Array;
  private i32!: Int32Array;
  private readonly physical: number;
  /** FIXED_LEN_BYTE_ARRAY: bytes per value (two's complement, big-endian). */
  private readonly width: number;
  private readonly scratch = new DataView(new ArrayBuffer(16));
  /** numbersOf()'s arrays, for blocks given as arrays of int32, double or boolean values. */
  private scratchValues = new Float64Array(0);
  private scratchPresent = new Uint8Array(0);
  private readonly perPage: number;
  private readonly valueBits: number;
  /** Rows of the row group encoded so far. */
  private rows = 0;
  private nullCount = 0;
  private pageRows = 0;
  private pageNulls = 0;
  /** The current page's definition levels, one byte per row, kept as its rows arrive. */
  private pageLevels = new Uint8Array(0);
  /** Bit position within the current page, for BOOLEAN. */
  private bit = 0;
  private min: bigint | number | boolean | undefined;
  private max: bigint | number | boolean | undefined;

  constructor(
    private readonly column: ParquetColumn,
    codec: PageCodec,
    private readonly levels: LevelsEncoder,
    settings: EncoderSettings,
  ) {
    this.pages = new ChunkBuilder(codec);
    this.physical = physicalTypeOf(column);
    this.width =
      this.physical === PhysicalType.FIXED_LEN_BYTE_ARRAY ? decimalByteLength(column.precision!) : 0;
    this.valueBits =
      this.physical === PhysicalType.BOOLEAN
        ? 1
        : this.physical === PhysicalType.INT32
          ? 32
          : this.width > 0
            ? this.width * 8
            : 64;
    this.perPage = Math.max(8, Math.floor((settings.pageSizeBytes * 8) / this.valueBits));
    // The page grows with the rows it holds, up to perPage values: a short file gets a short page.
    this.page = new ByteBuf(LEVELS_GAP + Math.min(INITIAL_BUFFER_BYTES, this.pageBytes(this.perPage)));
    this.viewPage();
    // The bounds hold small integers, other numbers, bigints or booleans. Storing a small integer
    // now makes V8 keep them as fields of any value from the start; were a boxed number stored
    // first (an earlier column's timestamps), the first small integer would deoptimize the encoder.
    this.min = 0;
    this.max = 0;
  }

  private pageBytes(values: number): number {
    return Math.ceil((values * this.valueBits) / 8) + 8;
  }

  /**
   * Values start at LEVELS_GAP, a multiple of 8 in a buffer at offset 0: 8-byte values can be
   * stored through aligned typed arrays, faster than DataView calls.
   */
  private viewPage(): void {
    const { buffer, byteOffset, length } = this.page.buf;
    const words = Math.floor((length - LEVELS_GAP) / 8);
    this.i64 = new BigInt64Array(buffer, byteOffset + LEVELS_GAP, words);
    this.u32 = new Uint32Array(buffer, byteOffset + LEVELS_GAP, words * 2);
    this.f64 = new Float64Array(buffer, byteOffset + LEVELS_GAP, words);
    this.i32 = new Int32Array(buffer, byteOffset + LEVELS_GAP, words * 2);
  }

  /** Room in the page for `values` values in all, keeping those already in it. */
  private fitPage(values: number): void {
    const page = this.page;
    const need = LEVELS_GAP + this.pageBytes(values);
    if (need <= page.buf.length) return;
    const size = Math.min(LEVELS_GAP + this.pageBytes(this.perPage), Math.max(need, page.buf.length * 2));
    page.ensure(size - page.pos);
    this.viewPage();
  }

  recycle(): void {
    this.pages.recycle();
    if (this.page.buf.length > RETAINED_BUFFER_BYTES) {
      this.page.recycle(RETAINED_BUFFER_BYTES);
      this.viewPage();
    }
    if (this.pageLevels.length > RETAINED_BUFFER_BYTES) this.pageLevels = new Uint8Array(0);
  }

  begin(): void {
    this.pages.reset();
    this.rows = 0;
    this.nullCount = 0;
    this.pageRows = 0;
    this.pageNulls = 0;
    this.page.pos = LEVELS_GAP;
    this.bit = 0;
    this.min = undefined;
    this.max = undefined;
  }

  encode(values: ColumnValues, start: number, end: number): void {
    while (start < end) {
      const stop = Math.min(end, start + this.perPage - this.pageRows);
      this.pageLevels = fitLevels(this.pageLevels, this.pageRows + stop - start);
      this.fitPage(this.pageRows + stop - start);
      if (values instanceof NumberValues) this.encodeNumbers(values, start, stop);
      else if (this.physical === PhysicalType.INT64)
        this.encodeInt64(values as (bigint | number | null)[], start, stop);
      else if (this.physical === PhysicalType.FIXED_LEN_BYTE_ARRAY)
        this.encodeFixedDecimal(values as (bigint | number | null)[], start, stop);
      // The other types hold no bigint: their arrays take the numbers' loops.
      else this.encodeNumbers(this.numbersOf(values as unknown[], start, stop), start, stop);
      this.rows += stop - start;
      this.pageRows += stop - start;
      if (this.pageRows === this.perPage) this.flushPage();
      start = stop;
    }
  }

  finish(): EncodedChunk {
    if (this.pageRows > 0) this.flushPage();
    return { pages: this.pages, encodings: [Encoding.PLAIN, Encoding.RLE], statistics: this.statistics() };
  }

  /** Row `i` of the block (levels[i + offset]) is not a value: fine if null and allowed. */
  private nullAt(i: number, v: unknown, expected: string, levels: Uint8Array, offset: number): void {
    if (v !== null || !this.column.nullable)
      throw badValue(this.column, i + offset - this.pageRows + this.rows, v, expected);
    levels[i + offset] = 0;
    this.pageNulls++;
  }

  private notInt64(i: number, offset: number, v: bigint | number): Error {
    const row = i + offset - this.pageRows + this.rows;
    return new RangeError(`parquet column "${this.column.name}" row ${row}: ${v} is not an int64`);
  }

  private notInt32(i: number, offset: number, v: number): Error {
    const row = i + offset - this.pageRows + this.rows;
    return new RangeError(`parquet column "${this.column.name}" row ${row}: ${v} is not an int32`);
  }

  private notDecimal(i: number, offset: number, v: bigint | number): Error {
    const row = i + offset - this.pageRows + this.rows;
    const { precision, scale } = this.column;
    return new RangeError(
      `parquet column "${this.column.name}" row ${row}: ${v} does not fit decimal(${precision},${scale})`,
    );
  }

  private encodeInt64(values: (bigint | number | null)[], start: number, end: number): void {
    const i64 = this.i64;
    const u32 = this.u32;
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    let k = (this.page.pos - LEVELS_GAP) >>> 3;
    let min = this.min as bigint | number | undefined;
    let max = this.max as bigint | number | undefined;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) throw this.notInt64(i, offset, v);
        // Two's complement in two words: the high word's store wraps a negative value as needed.
        const hi = Math.floor(v / 4294967296);
        u32[2 * k] = v - hi * 4294967296;
        u32[2 * k + 1] = hi;
        k++;
      } else if (typeof v === 'bigint') {
        i64[k] = v;
        // The store wraps values out of range; reading back tells whether it did.
        if (i64[k++] !== v) throw this.notInt64(i, offset, v);
      } else {
        this.nullAt(i, v, 'a bigint or a safe integer', levels, offset);
        continue;
      }
      levels[i + offset] = 1;
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    this.page.pos = LEVELS_GAP + k * 8;
    this.min = min;
    this.max = max;
  }

  /** Unscaled decimals as `width`-byte two's complement, big-endian (the Parquet DECIMAL form). */
  private encodeFixedDecimal(values: (bigint | number | null)[], start: number, end: number): void {
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    const buf = this.page.buf;
    let p = this.page.pos;
    let min = this.min as bigint | number | undefined;
    let max = this.max as bigint | number | undefined;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (typeof v !== 'number' && typeof v !== 'bigint') {
        this.nullAt(i, v, 'a bigint or a safe integer', levels, offset);
        continue;
      }
      if (!this.toBigEndian(v)) throw this.notDecimal(i, offset, v);
      levels[i + offset] = 1;
      for (let b = 16 - this.width; b < 16; b++) buf[p++] = this.scratch.getUint8(b);
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    this.page.pos = p;
    this.min = min;
    this.max = max;
  }

  /** Writes v as 16 bytes of big-endian two's complement into scratch; false if it needs more than width bytes. */
  private toBigEndian(v: bigint | number): boolean {
    const dv = this.scratch;
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) return false;
      const hi = Math.floor(v / 4294967296);
      const fill = hi < 0 ? -1 : 0;
      dv.setInt32(0, fill);
      dv.setInt32(4, fill);
      dv.setInt32(8, hi);
      dv.setUint32(12, v - hi * 4294967296);
      return true;
    }
    if (BigInt.asIntN(this.width * 8, v) !== v) return false;
    dv.setBigInt64(0, v >> 64n);
    dv.setBigUint64(8, BigInt.asUintN(64, v));
    return true;
  }

  /**
   * An array block's rows [start, end) as NumberValues in scratch arrays (rows keep their indexes),
   * refusing a value of another type as the loops refuse a missing one.
   */
  private numbersOf(values: unknown[], start: number, end: number): NumberValues {
    if (this.scratchValues.length < end) {
      this.scratchValues = new Float64Array(end);
      this.scratchPresent = new Uint8Array(end);
    }
    const numbers = this.scratchValues;
    const present = this.scratchPresent;
    const wanted = this.physical === PhysicalType.BOOLEAN ? 'boolean' : 'number';
    for (let i = start; i < end; i++) {
      const v = values[i];
      present[i] = v === null ? 0 : 1;
      if (typeof v === wanted) numbers[i] = Number(v);
      else if (v !== null) throw badValue(this.column, this.rows + i - start, v, EXPECTED[this.physical]!);
    }
    return new NumberValues(numbers, present, end);
  }

  /**
   * NumberValues: the same checks and layout as arrays, with no type to test per value (numbers
   * only) and no value boxed. A row that is not present is null.
   */
  private encodeNumbers(column: NumberValues, start: number, end: number): void {
    switch (this.physical) {
      case PhysicalType.INT64:
        this.numbersAsInt64(column, start, end);
        break;
      case PhysicalType.INT32:
        this.numbersAsInt32(column, start, end);
        break;
      case PhysicalType.DOUBLE:
        this.numbersAsDouble(column, start, end);
        break;
      case PhysicalType.FIXED_LEN_BYTE_ARRAY:
        this.numbersAsDecimal(column, start, end);
        break;
      default:
        this.numbersAsBoolean(column, start, end);
    }
  }

  private numbersAsInt64({ values, present }: NumberValues, start: number, end: number): void {
    const u32 = this.u32;
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    let k = (this.page.pos - LEVELS_GAP) >>> 3;
    let min = this.min as bigint | number | undefined;
    let max = this.max as bigint | number | undefined;
    for (let i = start; i < end; i++) {
      if (present[i] === 0) {
        this.nullAt(i, null, 'a bigint or a safe integer', levels, offset);
        continue;
      }
      const v = values[i]!;
      if (!Number.isSafeInteger(v)) throw this.notInt64(i, offset, v);
      const hi = Math.floor(v / 4294967296);
      u32[2 * k] = v - hi * 4294967296;
      u32[2 * k + 1] = hi;
      k++;
      levels[i + offset] = 1;
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    this.page.pos = LEVELS_GAP + k * 8;
    this.min = min;
    this.max = max;
  }

  private numbersAsInt32({ values, present }: NumberValues, start: number, end: number): void {
    const i32 = this.i32;
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    let k = (this.page.pos - LEVELS_GAP) >>> 2;
    let min = this.min as number | undefined;
    let max = this.max as number | undefined;
    for (let i = start; i < end; i++) {
      if (present[i] === 0) {
        this.nullAt(i, null, EXPECTED[PhysicalType.INT32]!, levels, offset);
        continue;
      }
      const v = values[i]!;
      if ((v | 0) !== v) throw this.notInt32(i, offset, v);
      levels[i + offset] = 1;
      i32[k++] = v;
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    this.page.pos = LEVELS_GAP + k * 4;
    this.min = min;
    this.max = max;
  }

  private numbersAsDouble({ values, present }: NumberValues, start: number, end: number): void {
    const f64 = this.f64;
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    let k = (this.page.pos - LEVELS_GAP) >>> 3;
    let min = this.min as number | undefined;
    let max = this.max as number | undefined;
    for (let i = start; i < end; i++) {
      if (present[i] === 0) {
        this.nullAt(i, null, EXPECTED[PhysicalType.DOUBLE]!, levels, offset);
        continue;
      }
      const v = values[i]!;
      levels[i + offset] = 1;
      f64[k++] = v;
      if (Number.isNaN(v)) continue;
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    this.page.pos = LEVELS_GAP + k * 8;
    this.min = min;
    this.max = max;
  }

  private numbersAsDecimal({ values, present }: NumberValues, start: number, end: number): void {
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    const buf = this.page.buf;
    let p = this.page.pos;
    let min = this.min as bigint | number | undefined;
    let max = this.max as bigint | number | undefined;
    for (let i = start; i < end; i++) {
      if (present[i] === 0) {
        this.nullAt(i, null, 'a bigint or a safe integer', levels, offset);
        continue;
      }
      const v = values[i]!;
      if (!this.toBigEndian(v)) throw this.notDecimal(i, offset, v);
      levels[i + offset] = 1;
      for (let b = 16 - this.width; b < 16; b++) buf[p++] = this.scratch.getUint8(b);
      if (min === undefined || max === undefined) {
        min = v;
        max = v;
      } else if (v < min) min = v;
      else if (v > max) max = v;
    }
    this.page.pos = p;
    this.min = min;
    this.max = max;
  }

  private numbersAsBoolean({ values, present }: NumberValues, start: number, end: number): void {
    const b = this.page.buf;
    const levels = this.pageLevels;
    const offset = this.pageRows - start;
    let bit = this.bit;
    let sawTrue = this.max === true;
    let sawFalse = this.min === false;
    for (let i = start; i < end; i++) {
      if (present[i] === 0) {
        this.nullAt(i, null, EXPECTED[PhysicalType.BOOLEAN]!, levels, offset);
        continue;
      }
      levels[i + offset] = 1;
      const byte = LEVELS_GAP + (bit >>> 3);
      if ((bit & 7) === 0) b[byte] = 0;
      if (values[i] !== 0) {
        b[byte]! |= 1 << (bit & 7);
        sawTrue = true;
      } else {
        sawFalse = true;
      }
      bit++;
    }
    this.bit = bit;
    this.page.pos = LEVELS_GAP + ((bit + 7) >>> 3);
    if (sawTrue || sawFalse) {
      this.min = !sawFalse;
      this.max = sawTrue;
    }
  }

  private flushPage(): void {
    const page = this.page;
    const n = this.pageRows;
    const body = this.levels.pageBody(this.column.nullable, page, n, this.pageNulls, this.pageLevels);
    this.pages.dataPage(body, n, Encoding.PLAIN);
    this.nullCount += this.pageNulls;
    this.pageNulls = 0;
    this.pageRows = 0;
    page.pos = LEVELS_GAP;
    this.bit = 0;
  }

  private statistics(): EncodedChunk['statistics'] {
    const stats: EncodedChunk['statistics'] = { nullCount: this.nullCount, legacy: true };
    const { min, max } = this;
    if (min === undefined || max === undefined) return stats;
    if (typeof min === 'boolean') {
      stats.min = Uint8Array.of(min ? 1 : 0);
      stats.max = Uint8Array.of(max ? 1 : 0);
      return stats;
    }
    if (this.physical === PhysicalType.FIXED_LEN_BYTE_ARRAY) {
      // Signed big-endian bytes; the legacy fields are left out, as old readers compared them unsigned.
      stats.legacy = false;
      this.toBigEndian(min as bigint | number);
      stats.min = new Uint8Array(this.scratch.buffer.slice(16 - this.width));
      this.toBigEndian(max as bigint | number);
      stats.max = new Uint8Array(this.scratch.buffer.slice(16 - this.width));
      return stats;
    }
    const bytes = new DataView(new ArrayBuffer(16));
    if (this.physical === PhysicalType.INT32) {
      bytes.setInt32(0, min as number, true);
      bytes.setInt32(8, max as number, true);
      stats.min = new Uint8Array(bytes.buffer, 0, 4);
      stats.max = new Uint8Array(bytes.buffer, 8, 4);
      return stats;
    }
    if (this.physical === PhysicalType.INT64) {
      bytes.setBigInt64(0, BigInt(min), true);
      bytes.setBigInt64(8, BigInt(max as bigint | number), true);
    } else {
      // Parquet: a zero min is written as -0 and a zero max as +0, whichever zeros were seen.
      bytes.setFloat64(0, min === 0 ? -0 : (min as number), true);
      bytes.setFloat64(8, max === 0 ? 0 : (max as number), true);
    }
    stats.min = new Uint8Array(bytes.buffer, 0, 8);
    stats.max = new Uint8Array(bytes.buffer, 8, 8);
    return stats;
  }
}
