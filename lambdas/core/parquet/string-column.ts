import { ByteBuf } from './bytes.js';
import { BytesIndex } from './bytes-index.js';
import {
  ChunkBuilder,
  INITIAL_BUFFER_BYTES,
  type PageCodec,
  pageCodec,
  RETAINED_BUFFER_BYTES,
} from './chunk.js';
import { badValue, type ColumnEncoder, type EncodedChunk, type EncoderSettings } from './column.js';
import { Encoding } from './format.js';
import { fitLevels, LEVELS_GAP, type LevelsEncoder, sharedLevels } from './levels.js';
import { bitWidthFor, writeHybrid } from './rle.js';
import { StringIndex } from './string-index.js';
import { StringStats } from './string-stats.js';
import { ByteSpans, type ColumnValues, type ParquetColumn } from './types.js';
import { writeByteText, writeUtf8 } from './utf8.js';

// Every this many new dictionary entries, check that values still repeat enough to be worth it.
const DICT_CHECK_EVERY = 1024;
// More distinct values than this share of the values seen: PLAIN (and Snappy) does better.
const DICT_MAX_DISTINCT_SHARE = 0.5;
// Slots of the recent-values cache in front of the dictionary (a power of two, less one).
const RECENT_MASK = 255;
// Values up to this many bytes (length prefix included) are copied byte by byte.
const SHORT_COPY_BYTES = 64;
// Room past the page size for the value that crosses it, so a page buffer rarely has to double.
const PAGE_SLACK = 64 * 1024;

/**
 * BYTE_ARRAY/UTF8 column: dictionary-encoded (RLE_DICTIONARY) while the dictionary stays small
 * and values repeat, else PLAIN. Falling back restarts the chunk as PLAIN from its first row, and
 * sticks for later chunks. Earlier blocks' values are gone by then, but nothing of the chunk has
 * been written and every earlier row is a dictionary index (or a null), so the rows are rebuilt
 * from the dictionary's already encoded bytes.
 */
export class StringColumnEncoder implements ColumnEncoder {
  private readonly pages: ChunkBuilder;
  private readonly page: ByteBuf;
  private readonly pageBufferBytes: number;
  private readonly stats = new StringStats();
  private readonly dict = new StringIndex();
  /** The dictionary of a chunk given as ByteSpans: the same entries, looked up by their bytes. */
  private readonly spanDict = new BytesIndex();
  /** How this chunk's dictionary is keyed: by strings, by spans, or not yet (a chunk sticks to one). */
  private dictKeys: 'strings' | 'spans' | undefined;
  /** Dictionary values met lately, by a cheap slot of their own, and their indices. */
  private readonly recent = new Array<string | undefined>(RECENT_MASK + 1).fill(undefined);
  private readonly recentIndex = new Int32Array(RECENT_MASK + 1);
  /** The recent slots filled in this chunk, so that forgetting them visits only those. */
  private readonly recentFilled = new Int32Array(RECENT_MASK + 1);
  private recentCount = 0;
  private dictBytes = new ByteBuf(INITIAL_BUFFER_BYTES);
  /** Where each dictionary entry (4-byte length, then UTF-8) starts in dictBytes. */
  private dictOffsets = new Int32Array(0);
  /** Per row of the chunk: its dictionary index, or -1 for null. */
  private indices = new Int32Array(0);
  private packed = new Int32Array(0);
  private tryDictionary: boolean;
  private dictMode = false;
  /** Rows of the row group encoded so far. */
  private rows = 0;
  private nullCount = 0;
  private pageRows = 0;
  private pageNulls = 0;
  /** The current PLAIN page's definition levels, one byte per row, kept as its rows arrive. */
  private pageLevels = new Uint8Array(0);
  /** Writes a value's bytes; needs `bytesPerChar` bytes of room per character. */
  private readonly write: (s: string, b: Buffer, q: number) => number;
  private readonly bytesPerChar: number;

  constructor(
    private readonly column: ParquetColumn,
    codec: PageCodec,
    private readonly levels: LevelsEncoder,
    private readonly settings: EncoderSettings,
  ) {
    this.pages = new ChunkBuilder(codec);
    this.pageBufferBytes = Math.min(settings.pageSizeBytes, 1 << 20) + LEVELS_GAP + PAGE_SLACK;
    this.page = new ByteBuf(LEVELS_GAP + INITIAL_BUFFER_BYTES);
    this.tryDictionary = settings.dictionary;
    this.write = settings.byteStrings ? writeByteText : writeUtf8;
    this.bytesPerChar = settings.byteStrings ? 1 : 3;
  }

  recycle(): void {
    this.tryDictionary = this.settings.dictionary;
    this.pages.recycle();
    this.page.recycle(RETAINED_BUFFER_BYTES);
    this.dictBytes.recycle(RETAINED_BUFFER_BYTES);
    const retainedInts = RETAINED_BUFFER_BYTES >> 2;
    if (this.indices.length > retainedInts) this.indices = new Int32Array(0);
    if (this.dictOffsets.length > retainedInts) this.dictOffsets = new Int32Array(0);
    if (this.packed.length > retainedInts) this.packed = new Int32Array(0);
    if (this.pageLevels.length > RETAINED_BUFFER_BYTES) this.pageLevels = new Uint8Array(0);
  }

  begin(): void {
    this.pages.reset();
    this.stats.reset();
    this.rows = 0;
    this.nullCount = 0;
    this.pageRows = 0;
    this.pageNulls = 0;
    this.page.pos = LEVELS_GAP;
    this.dictMode = this.tryDictionary;
    if (this.dictMode) {
      this.forgetDictionary();
      this.dictBytes.pos = 0;
      this.dictBytes.shrinkTo(this.settings.dictionaryMaxBytes + 1024);
    }
  }

  encode(values: ColumnValues, start: number, end: number): void {
    if (values instanceof ByteSpans) {
      this.encodeSpans(values, start, end);
      return;
    }
    const strings = values as (string | null)[];
    if (this.keyDictionary('strings', end - start)) {
      // A block of one repeated value already in the dictionary (the lineage columns) takes one
      // lookup instead of one per row.
      const first = strings[start];
      if (typeof first === 'string') {
        let k = start + 1;
        while (k < end && strings[k] === first) k++;
        const index = k === end ? this.dict.indexOf(first) : -1;
        if (index >= 0) {
          this.indices.fill(index, this.rows, this.rows + end - start);
          this.rows += end - start;
          return;
        }
      }
      start = this.settleDictionary(this.encodeDictionary(strings, start, end), start, end);
      if (start < 0) return;
    }
    this.encodePlain(strings, start, end);
  }

  /** encode() for values given as byte spans: the same encodings, copied straight from the bytes. */
  private encodeSpans(spans: ByteSpans, start: number, end: number): void {
    if (this.keyDictionary('spans', end - start)) {
      start = this.settleDictionary(this.encodeSpanDictionary(spans, start, end), start, end);
      if (start < 0) return;
    }
    this.encodeSpansPlain(spans, start, end);
  }

  /**
   * Whether a block of `rows` values of this kind goes to the dictionary, readied for them. A
   * chunk's dictionary is keyed one way: values of the other kind end it (rare: a caller passes a
   * column one way), and PLAIN takes either.
   */
  private keyDictionary(keys: 'strings' | 'spans', rows: number): boolean {
    if (this.dictMode && this.dictKeys !== undefined && this.dictKeys !== keys) this.fallBackToPlain(false);
    if (!this.dictMode) return false;
    this.dictKeys = keys;
    this.growIndices(rows);
    return true;
  }

  /**
   * Counts the rows of a block the dictionary took (`stopped` is -1 for all of them), and where it
   * stopped paying off switches the chunk to PLAIN: the row PLAIN starts at, or -1 when none.
   */
  private settleDictionary(stopped: number, start: number, end: number): number {
    if (stopped < 0) {
      this.rows += end - start;
      return -1;
    }
    this.rows += stopped - start;
    this.fallBackToPlain(true);
    return stopped;
  }

  private growIndices(more: number): void {
    if (this.indices.length < this.rows + more) {
      const grown = new Int32Array(Math.max(this.rows + more, this.indices.length * 2, 1024));
      grown.set(this.indices.subarray(0, this.rows));
      this.indices = grown;
    }
  }

  private dictSize(): number {
    return this.dictKeys === 'spans' ? this.spanDict.size : this.dict.size;
  }

  finish(): EncodedChunk {
    // All null, or values mostly distinct (a chunk too short for the periodic check, as a small
    // file's): PLAIN is smaller and one page instead of two. Later chunks try the dictionary again.
    if (this.dictMode && (this.dictSize() === 0 || this.mostlyDistinct())) this.fallBackToPlain(false);
    if (this.dictMode) {
      this.writeDictionaryPages();
    } else if (this.pageRows > 0) {
      this.flushPlainPage();
    }
    const encodings = this.dictMode
      ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY]
      : [Encoding.PLAIN, Encoding.RLE];
    this.forgetDictionary();
    return {
      pages: this.pages,
      encodings,
      statistics: { nullCount: this.nullCount, legacy: false, ...this.stats.bytes() },
    };
  }

  private mostlyDistinct(): boolean {
    return this.dictSize() > (this.rows - this.nullCount) * DICT_MAX_DISTINCT_SHARE;
  }

  private forgetDictionary(): void {
    this.dictKeys = undefined;
    this.spanDict.clear();
    if (this.dict.size === 0) return;
    this.dict.clear();
    for (let i = 0; i < this.recentCount; i++) this.recent[this.recentFilled[i]!] = undefined;
    this.recentCount = 0;
  }

  /** Returns -1 when done, else the index in `values` at which the dictionary stopped paying off. */
  private encodeDictionary(values: (string | null)[], start: number, end: number): number {
    const dict = this.dict;
    const indices = this.indices;
    const out = this.dictBytes;
    // values[i] is row i + base of the chunk.
    const base = this.rows - start;
    const recent = this.recent;
    const recentIndex = this.recentIndex;
    let nulls = this.nullCount;
    for (let i = start; i < end; i++) {
      const s = values[i];
      if (typeof s !== 'string') {
        if (s !== null || !this.column.nullable) throw badValue(this.column, i + base, s, 'a string');
        indices[i + base] = -1;
        nulls++;
        continue;
      }
      // Most values equal one seen lately: comparing with the one in its slot skips hashing it.
      const len = s.length;
      const slot = len === 0 ? 0 : (len * 31 + s.charCodeAt(0) * 7 + s.charCodeAt(len - 1)) & RECENT_MASK;
      if (recent[slot] === s) {
        indices[i + base] = recentIndex[slot]!;
        continue;
      }
      let k = dict.indexOrAdd(s);
      if (k >= 0) {
        if (recent[slot] === undefined) this.recentFilled[this.recentCount++] = slot;
        recent[slot] = s;
        recentIndex[slot] = k;
      } else {
        k = -1 - k;
        const len = s.length;
        out.ensure(4 + len * this.bytesPerChar);
        const b = out.buf;
        const p = out.pos;
        const q = this.write(s, b, p + 4);
        b.writeUInt32LE(q - p - 4, p);
        out.pos = q;
        if (this.stopsPaying(k, p, i + base, nulls)) {
          this.nullCount = nulls;
          return i;
        }
      }
      indices[i + base] = k;
    }
    this.nullCount = nulls;
    return -1;
  }

  /**
   * Records new dictionary entry k, written at dictBytes[p] (length, then bytes), and says whether
   * the dictionary stopped paying off at row `row` of the chunk: too large, or too many of the
   * values so far distinct.
   */
  private stopsPaying(k: number, p: number, row: number, nulls: number): boolean {
    if (k >= this.dictOffsets.length) {
      const grown = new Int32Array(Math.max(1024, this.dictOffsets.length * 2));
      grown.set(this.dictOffsets);
      this.dictOffsets = grown;
    }
    this.dictOffsets[k] = p;
    const out = this.dictBytes;
    this.stats.add(out.dv, p + 4, out.pos - p - 4);
    // Worked out for every entry though needed every DICT_CHECK_EVERY: arithmetic V8 had never
    // seen run when it compiled this would deoptimize it at the first check.
    const mostlyDistinct = k > (row + 1 - nulls) * DICT_MAX_DISTINCT_SHARE;
    return (
      out.pos > this.settings.dictionaryMaxBytes ||
      (k % DICT_CHECK_EVERY === DICT_CHECK_EVERY - 1 && mostlyDistinct)
    );
  }

  /** encodeDictionary for byte spans: -1 when done, else where the dictionary stopped paying off. */
  private encodeSpanDictionary(spans: ByteSpans, start: number, end: number): number {
    const { bytes, starts, ends, view } = spans;
    const dict = this.spanDict;
    const indices = this.indices;
    const out = this.dictBytes;
    const base = this.rows - start;
    let nulls = this.nullCount;
    for (let i = start; i < end; i++) {
      const from = starts[i]!;
      if (from < 0) {
        if (!this.column.nullable) throw badValue(this.column, i + base, null, 'a string');
        indices[i + base] = -1;
        nulls++;
        continue;
      }
      const to = ends[i]!;
      let k = dict.indexOrAdd(bytes, view, from, to, out.u8, out.dv, this.dictOffsets);
      if (k < 0) {
        k = -1 - k;
        const len = to - from;
        out.ensure(4 + len);
        const p = out.pos;
        out.u32le(len);
        copyBytes(bytes, view, from, to, out.u8, out.dv, p + 4);
        out.pos = p + 4 + len;
        if (this.stopsPaying(k, p, i + base, nulls)) {
          this.nullCount = nulls;
          return i;
        }
      }
      indices[i + base] = k;
    }
    this.nullCount = nulls;
    return -1;
  }

  /** encodePlain for byte spans. */
  private encodeSpansPlain(spans: ByteSpans, start: number, end: number): void {
    const { bytes, starts, ends, view } = spans;
    const page = this.page;
    const limit = this.settings.pageSizeBytes + LEVELS_GAP;
    const stats = this.stats;
    let levels = fitLevels(this.pageLevels, this.pageRows + end - start);
    this.pageLevels = levels;
    // Row i is row i + offset of the current page.
    let offset = this.pageRows - start;
    let nulls = 0;
    for (let i = start; i < end; i++) {
      const from = starts[i]!;
      if (from < 0) {
        if (!this.column.nullable) throw badValue(this.column, this.rows + i - start, null, 'a string');
        levels[i + offset] = 0;
        nulls++;
        continue;
      }
      levels[i + offset] = 1;
      const len = ends[i]! - from;
      page.ensure(4 + len);
      const p = page.pos;
      page.u32le(len);
      copyBytes(bytes, view, from, from + len, page.u8, page.dv, p + 4);
      stats.add(page.dv, p + 4, len);
      page.pos = p + 4 + len;
      if (page.pos >= limit) {
        this.pageNulls += nulls;
        this.nullCount += nulls;
        nulls = 0;
        this.pageRows = i + 1 + offset;
        this.flushPlainPage();
        // The page now starts at row i + 1.
        offset = -(i + 1);
        levels = this.pageLevels;
      }
    }
    this.pageNulls += nulls;
    this.nullCount += nulls;
    this.pageRows = end + offset;
    this.rows += end - start;
  }

  /**
   * Switches this chunk (and, when `sticky`, later ones) to PLAIN and re-encodes its rows so far
   * from their dictionary indices.
   */
  private fallBackToPlain(sticky: boolean): void {
    const nulls = this.nullCount;
    const allDistinct = this.dictSize() === this.rows - nulls;
    this.dictMode = false;
    this.forgetDictionary();
    // The statistics stay: the dictionary holds every value of the chunk so far, so its bounds
    // are the chunk's.
    if (allDistinct && this.dictBytes.pos <= this.settings.pageSizeBytes) {
      this.takeDictionaryAsPage(nulls);
    } else {
      this.nullCount = 0;
      this.replayDictionary(this.rows);
    }
    if (sticky) {
      // This column is done with dictionaries: let its buffers go.
      this.tryDictionary = false;
      this.indices = new Int32Array(0);
      this.dictOffsets = new Int32Array(0);
      this.dictBytes = new ByteBuf(16);
    }
  }

  /**
   * When no value repeated, the dictionary's entries (length, then bytes) are the chunk's present
   * values in row order: exactly a PLAIN page's values, taken in one copy.
   */
  private takeDictionaryAsPage(nulls: number): void {
    const n = this.rows;
    const levels = fitLevels(this.pageLevels, n);
    this.pageLevels = levels;
    if (nulls === 0) {
      levels.fill(1, 0, n);
    } else {
      const indices = this.indices;
      for (let row = 0; row < n; row++) levels[row] = indices[row]! < 0 ? 0 : 1;
    }
    const values = this.dictBytes.view();
    const page = this.page;
    page.ensure(values.length);
    page.u8.set(values, page.pos);
    page.pos += values.length;
    this.pageRows = n;
    this.pageNulls = nulls;
  }

  /** Encodes rows 0..n of the chunk as PLAIN, copying each value's bytes from the dictionary. */
  private replayDictionary(n: number): void {
    const page = this.page;
    const limit = this.settings.pageSizeBytes + LEVELS_GAP;
    const indices = this.indices;
    const offsets = this.dictOffsets;
    const src = this.dictBytes.u8;
    this.pageLevels = fitLevels(this.pageLevels, Math.min(n, 1 << 16));
    for (let row = 0; row < n; row++) {
      if (this.pageRows >= this.pageLevels.length)
        this.pageLevels = fitLevels(this.pageLevels, this.pageRows + 1);
      const k = indices[row]!;
      if (k < 0) {
        this.pageLevels[this.pageRows++] = 0;
        this.pageNulls++;
        this.nullCount++;
        continue;
      }
      this.pageLevels[this.pageRows++] = 1;
      const from = offsets[k]!;
      const size = 4 + (src[from]! | (src[from + 1]! << 8) | (src[from + 2]! << 16) | (src[from + 3]! << 24));
      page.ensure(size);
      const to = page.pos;
      // Most values are short, and a loop copies a short one for less than Buffer#copy's call does.
      if (size <= SHORT_COPY_BYTES) {
        const dst = page.u8;
        for (let j = 0; j < size; j++) dst[to + j] = src[from + j]!;
      } else {
        page.u8.set(src.subarray(from, from + size), to);
      }
      page.pos = to + size;
      if (page.pos >= limit) this.flushPlainPage();
    }
  }

  private encodePlain(values: (string | null)[], start: number, end: number): void {
    const page = this.page;
    const limit = this.settings.pageSizeBytes + LEVELS_GAP;
    const stats = this.stats;
    const write = this.write;
    const perChar = this.bytesPerChar;
    let levels = fitLevels(this.pageLevels, this.pageRows + end - start);
    this.pageLevels = levels;
    // values[i] is row i + offset of the current page.
    let offset = this.pageRows - start;
    let b = page.buf;
    let dv = page.dv;
    let p = page.pos;
    let nulls = 0;
    for (let i = start; i < end; i++) {
      const s = values[i];
      if (typeof s !== 'string') {
        if (s !== null || !this.column.nullable)
          throw badValue(this.column, this.rows + i - start, s, 'a string');
        levels[i + offset] = 0;
        nulls++;
        continue;
      }
      levels[i + offset] = 1;
      const len = s.length * perChar;
      if (p + 4 + len > b.length) {
        page.pos = p;
        page.ensure(4 + len);
        b = page.buf;
        dv = page.dv;
      }
      const q = write(s, b, p + 4);
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
        this.pageRows = i + 1 + offset;
        this.flushPlainPage();
        // The page now starts at values[i + 1].
        offset = -(i + 1);
        levels = this.pageLevels;
        b = page.buf;
        dv = page.dv;
        p = page.pos;
      }
    }
    page.pos = p;
    this.pageNulls += nulls;
    this.nullCount += nulls;
    this.pageRows = end + offset;
    this.rows += end - start;
  }

  private flushPlainPage(): void {
    const page = this.page;
    const n = this.pageRows;
    const body = this.levels.pageBody(this.column.nullable, page, n, this.pageNulls, this.pageLevels);
    this.pages.dataPage(body, n, Encoding.PLAIN);
    page.pos = LEVELS_GAP;
    page.shrinkTo(this.pageBufferBytes);
    this.pageRows = 0;
    this.pageNulls = 0;
  }

  private writeDictionaryPages(): void {
    const dictSize = this.dictSize();
    this.pages.dictionaryPage(this.dictBytes.view(), dictSize);
    const width = bitWidthFor(dictSize - 1);
    const perPage = Math.max(8, Math.floor((this.settings.pageSizeBytes * 8) / width));
    const indices = this.indices;
    const page = this.page;
    for (let first = 0; first < this.rows; first += perPage) {
      const end = Math.min(this.rows, first + perPage);
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
        body = page.u8.subarray(LEVELS_GAP, page.pos);
      }
      this.pages.dataPage(body, n, Encoding.RLE_DICTIONARY);
    }
  }
}

/**
 * Copies src[from, to) to dst at `at`, four bytes a step (a loop over bytes costs about as much
 * per byte as this does per word), and a native copy for long values.
 */
function copyBytes(
  src: Uint8Array,
  srcView: DataView,
  from: number,
  to: number,
  dst: Uint8Array,
  dstView: DataView,
  at: number,
): void {
  if (to - from > SHORT_COPY_BYTES) {
    dst.set(src.subarray(from, to), at);
    return;
  }
  let i = from;
  for (; i + 4 <= to; i += 4, at += 4) dstView.setInt32(at, srcView.getInt32(i, true), true);
  for (; i < to; i++) dst[at++] = src[i]!;
}

/**
 * Encodes a few small chunks of byte spans, a few times, when the module loads, for the reason
 * snappy.ts and rle.ts prime their code: V8 optimizes these loops within a file's first blocks,
 * and a branch that had not run by then deoptimizes the loop when first taken, after which V8
 * compiles it again. Over the benchmark's first 10 MB that was four such recompiles: a value's
 * first repeat in the dictionary, its first null, a page filling up, a dictionary given up.
 */
function prime(): void {
  const text = new TextEncoder().encode('alpha,beta,gamma,delta,');
  const rows = 40;
  const starts = new Int32Array(rows);
  const ends = new Int32Array(rows);
  const words = [0, 6, 11, 17];
  for (let i = 0; i < rows; i++) {
    const w = words[i % 4]!;
    starts[i] = i % 7 === 3 ? -1 : w;
    ends[i] = text.indexOf(44, w);
  }
  const repeating = new ByteSpans(text, starts, ends, rows);
  // Distinct values: prefixes of a longer text, of lengths 1 to 40 in a scrambled order, so that
  // the statistics meet a new minimum and a new maximum now and then (in order, every value would
  // be a new maximum to copy).
  const long = new TextEncoder().encode('x'.repeat(rows));
  const distinctStarts = new Int32Array(rows);
  const distinctEnds = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    distinctStarts[i] = i % 9 === 4 ? -1 : 0;
    distinctEnds[i] = ((i * 17 + rows / 2) % rows) + 1;
  }
  const distinct = new ByteSpans(long, distinctStarts, distinctEnds, rows);
  const column: ParquetColumn = { name: 'prime', type: 'string', nullable: true };
  const settings: EncoderSettings = {
    pageSizeBytes: 256,
    dictionary: true,
    dictionaryMaxBytes: 256,
    byteStrings: true,
  };
  // Uncompressed: Snappy has its own prime, and more pages through it here would have V8
  // optimize it at load, moving that work out of a file's time rather than saving it.
  const encoder = new StringColumnEncoder(column, pageCodec('none'), sharedLevels, settings);
  for (let round = 0; round < PRIME_ROUNDS; round++) {
    // A dictionary that pays, then one that outgrows its bytes and falls back to PLAIN pages.
    for (const values of [repeating, distinct]) {
      encoder.begin();
      encoder.encode(values, 0, rows / 2);
      encoder.encode(values, rows / 2, rows);
      encoder.finish();
      encoder.recycle();
    }
  }
}
const PRIME_ROUNDS = 8;
prime();
