import { ByteBuf } from './bytes.js';
import { ChunkBuilder, type PageCodec } from './chunk.js';
import { badValue, type ColumnEncoder, type EncodedChunk, type EncoderSettings } from './column.js';
import { Encoding } from './format.js';
import { LEVELS_GAP, type LevelsEncoder } from './levels.js';
import { bitWidthFor, writeHybrid } from './rle.js';
import { StringStats } from './string-stats.js';
import type { ColumnValues, ParquetColumn } from './types.js';
import { writeUtf8 } from './utf8.js';

// Every this many new dictionary entries, check that values still repeat enough to be worth it.
const DICT_CHECK_EVERY = 1024;
// More distinct values than this share of the values seen: PLAIN (and Snappy) does better.
const DICT_MAX_DISTINCT_SHARE = 0.5;
// Room past the page size for the value that crosses it, so a page buffer rarely has to double.
const PAGE_SLACK = 64 * 1024;

/**
 * BYTE_ARRAY/UTF8 column: dictionary-encoded (RLE_DICTIONARY) while the dictionary stays small
 * and values repeat, else PLAIN. Falling back restarts the chunk as PLAIN from its first row (the
 * values are still at hand and nothing of the chunk has been written), and sticks for later chunks.
 */
export class StringColumnEncoder implements ColumnEncoder {
  private readonly pages: ChunkBuilder;
  private readonly page: ByteBuf;
  private readonly pageBufferBytes: number;
  private readonly stats = new StringStats();
  private readonly dict = new Map<string, number>();
  private dictBytes = new ByteBuf(1 << 12);
  private indices = new Int32Array(0);
  private packed = new Int32Array(0);
  private tryDictionary: boolean;
  private dictMode = false;
  private rowCount = 0;
  private nullCount = 0;
  private pageFirstRow = 0;
  private pageNulls = 0;

  constructor(
    private readonly column: ParquetColumn,
    codec: PageCodec,
    private readonly levels: LevelsEncoder,
    private readonly settings: EncoderSettings,
  ) {
    this.pages = new ChunkBuilder(codec);
    this.pageBufferBytes = Math.min(settings.pageSizeBytes, 1 << 20) + LEVELS_GAP + PAGE_SLACK;
    this.page = new ByteBuf(this.pageBufferBytes);
    this.tryDictionary = settings.dictionary;
  }

  begin(rowCount: number): void {
    this.pages.reset();
    this.stats.reset();
    this.rowCount = rowCount;
    this.nullCount = 0;
    this.pageFirstRow = 0;
    this.pageNulls = 0;
    this.page.pos = LEVELS_GAP;
    this.dictMode = this.tryDictionary;
    if (this.dictMode) {
      this.dict.clear();
      this.dictBytes.pos = 0;
      this.dictBytes.shrinkTo(this.settings.dictionaryMaxBytes + 1024);
      if (this.indices.length < rowCount) this.indices = new Int32Array(rowCount);
    }
  }

  encode(values: ColumnValues, start: number, end: number): void {
    if (this.dictMode) {
      const stopped = this.encodeDictionary(values as (string | null)[], start, end);
      if (stopped < 0) return;
      this.fallBackToPlain(values as (string | null)[], stopped, true);
      start = stopped;
    }
    this.encodePlain(values as (string | null)[], start, end);
  }

  finish(values: ColumnValues): EncodedChunk {
    // All null: nothing to put in a dictionary, and no reason to stop trying for later chunks.
    if (this.dictMode && this.dict.size === 0)
      this.fallBackToPlain(values as (string | null)[], this.rowCount, false);
    if (this.dictMode) {
      this.writeDictionaryPages();
    } else if (this.rowCount > this.pageFirstRow) {
      this.flushPlainPage(values as (string | null)[], this.rowCount);
    }
    const encodings = this.dictMode
      ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY]
      : [Encoding.PLAIN, Encoding.RLE];
    this.dict.clear();
    return {
      pages: this.pages,
      encodings,
      statistics: { nullCount: this.nullCount, legacy: false, ...this.stats.bytes() },
    };
  }

  /** Returns -1 when done, else the row at which the dictionary stopped paying off. */
  private encodeDictionary(values: (string | null)[], start: number, end: number): number {
    const dict = this.dict;
    const indices = this.indices;
    const out = this.dictBytes;
    const maxBytes = this.settings.dictionaryMaxBytes;
    let nulls = this.nullCount;
    for (let i = start; i < end; i++) {
      const s = values[i];
      if (typeof s !== 'string') {
        if (s !== null || !this.column.nullable) throw badValue(this.column, i, s, 'a string');
        indices[i] = -1;
        nulls++;
        continue;
      }
      let k = dict.get(s);
      if (k === undefined) {
        k = dict.size;
        dict.set(s, k);
        const len = s.length;
        out.ensure(4 + len * 3);
        const b = out.buf;
        const p = out.pos;
        const q = writeUtf8(s, b, p + 4);
        b.writeUInt32LE(q - p - 4, p);
        out.pos = q;
        this.stats.add(out.dv, p + 4, q - p - 4);
        if (
          q > maxBytes ||
          (k % DICT_CHECK_EVERY === DICT_CHECK_EVERY - 1 && k > (i + 1 - nulls) * DICT_MAX_DISTINCT_SHARE)
        ) {
          this.nullCount = nulls;
          return i;
        }
      }
      indices[i] = k;
    }
    this.nullCount = nulls;
    return -1;
  }

  /** Switches this chunk (and, when `sticky`, later ones) to PLAIN and re-encodes rows 0..row. */
  private fallBackToPlain(values: (string | null)[], row: number, sticky: boolean): void {
    this.dictMode = false;
    if (sticky) {
      // This column is done with dictionaries: let its buffers go.
      this.tryDictionary = false;
      this.indices = new Int32Array(0);
      this.dictBytes = new ByteBuf(16);
    }
    this.dict.clear();
    this.stats.reset();
    this.nullCount = 0;
    this.encodePlain(values, 0, row);
  }

  private encodePlain(values: (string | null)[], start: number, end: number): void {
    const page = this.page;
    const limit = this.settings.pageSizeBytes + LEVELS_GAP;
    const stats = this.stats;
    let b = page.buf;
    let dv = page.dv;
    let p = page.pos;
    let nulls = 0;
    for (let i = start; i < end; i++) {
      const s = values[i];
      if (typeof s !== 'string') {
        if (s !== null || !this.column.nullable) throw badValue(this.column, i, s, 'a string');
        nulls++;
        continue;
      }
      const len = s.length;
      if (p + 4 + len * 3 > b.length) {
        page.pos = p;
        page.ensure(4 + len * 3);
        b = page.buf;
        dv = page.dv;
      }
      const q = writeUtf8(s, b, p + 4);
      const n = q - p - 4;
      b[p] = n;
      b[p + 1] = n >>> 8;
      b[p + 2] = n >>> 16;
      b[p + 3] = n >>> 24;
      stats.add(dv, p + 4, n);
      p = q;
      if (p >= limit) {
        page.pos = p;
        this.pageNulls += nulls;
        this.nullCount += nulls;
        nulls = 0;
        this.flushPlainPage(values, i + 1);
        b = page.buf;
        dv = page.dv;
        p = page.pos;
      }
    }
    page.pos = p;
    this.pageNulls += nulls;
    this.nullCount += nulls;
  }

  private flushPlainPage(values: (string | null)[], endRow: number): void {
    const page = this.page;
    const first = this.pageFirstRow;
    const n = endRow - first;
    let body: Uint8Array;
    if (this.column.nullable) {
      const levels = this.levels.scratch(n);
      if (this.pageNulls > 0) for (let i = 0; i < n; i++) levels[i] = values[first + i] === null ? 0 : 1;
      body = this.levels.join(this.levels.encode(n, this.pageNulls), page);
    } else {
      body = page.buf.subarray(LEVELS_GAP, page.pos);
    }
    this.pages.dataPage(body, n, Encoding.PLAIN);
    page.pos = LEVELS_GAP;
    page.shrinkTo(this.pageBufferBytes);
    this.pageFirstRow = endRow;
    this.pageNulls = 0;
  }

  private writeDictionaryPages(): void {
    const dictSize = this.dict.size;
    this.pages.dictionaryPage(this.dictBytes.view(), dictSize);
    const width = bitWidthFor(dictSize - 1);
    const perPage = Math.max(8, Math.floor((this.settings.pageSizeBytes * 8) / width));
    const indices = this.indices;
    const page = this.page;
    for (let first = 0; first < this.rowCount; first += perPage) {
      const end = Math.min(this.rowCount, first + perPage);
      const n = end - first;
      let nulls = 0;
      if (this.nullCount > 0) for (let i = first; i < end; i++) if (indices[i]! < 0) nulls++;
      page.pos = LEVELS_GAP;
      page.ensure(1);
      page.buf[page.pos++] = width;
      if (nulls === 0) {
        writeHybrid(indices, first, end, width, page);
      } else {
        if (this.packed.length < n) this.packed = new Int32Array(Math.max(n, this.packed.length * 2));
        const packed = this.packed;
        let k = 0;
        for (let i = first; i < end; i++) if (indices[i]! >= 0) packed[k++] = indices[i]!;
        writeHybrid(packed, 0, k, width, page);
      }
      let body: Uint8Array;
      if (this.column.nullable) {
        const levels = this.levels.scratch(n);
        if (nulls > 0) for (let i = 0; i < n; i++) levels[i] = indices[first + i]! < 0 ? 0 : 1;
        body = this.levels.join(this.levels.encode(n, nulls), page);
      } else {
        body = page.buf.subarray(LEVELS_GAP, page.pos);
      }
      this.pages.dataPage(body, n, Encoding.RLE_DICTIONARY);
    }
  }
}
