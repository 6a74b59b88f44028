import { DataError } from '../errors.js';
import { CsvChunk, CsvScanner, detectLineBreak, type LineBreak } from './scanner.js';

export { CsvChunk } from './scanner.js';

export interface CsvDialect {
  readonly delimiter: string;
  readonly quoteChar: string;
  /** A record (possibly spanning lines) longer than this many bytes is a file-level error. */
  readonly maxRecordChars: number;
}

/**
 * Bytes scanned at a time, at least: small enough that a chunk's offsets and any strings made
 * from its fields stay in the core's cache and die young, large enough that the per-chunk work
 * is small beside the per-byte work.
 */
const MIN_SCAN_BYTES = 64 * 1024;

/** Bytes of an overlong record kept in its bad row: enough to find it, never the whole record. */
const KEPT_PREFIX = 1024;

const LF = 10;
const CR = 13;

/** Counts quote bytes: an odd count means a quoted field is still open. */
function quoteCount(bytes: Uint8Array, from: number, to: number, quote: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (bytes[i] === quote) n++;
  return n;
}

/** Line breaks of kind `lineBreak` in bytes[from, to). */
function countBreaks(bytes: Uint8Array, from: number, to: number, lineBreak: LineBreak): number {
  const first = lineBreak.charCodeAt(0);
  const crlf = lineBreak === '\r\n';
  let n = 0;
  for (let i = from; i < to; i++) if (bytes[i] === first && (!crlf || bytes[i + 1] === LF)) n++;
  return n;
}

/** The DataError for a record too long to read on, naming what made it so. */
function tooLong(line: number, oddQuotes: boolean, dialect: CsvDialect, header: boolean): DataError {
  const what = header ? `header record starting on line ${line}` : `record starting on line ${line}`;
  const why = oddQuotes
    ? 'a quoted field opens in it and does not close within that length (unterminated quote?)'
    : 'it has no line break within that length';
  return new DataError(
    'RECORD_TOO_LONG',
    `${what} is longer than ${dialect.maxRecordChars} bytes (limits.max_record_bytes): ${why}`,
    { line },
  );
}

/** A chunk of one record, the first bytes of one too long to keep, with its problem. */
function overlongChunk(
  bytes: Uint8Array,
  from: number,
  to: number,
  line: number,
  dialect: CsvDialect,
): CsvChunk {
  let end = Math.min(to, from + KEPT_PREFIX);
  // Cut back to a character boundary, so that it decodes cleanly.
  if (end < to) while (end > from && (bytes[end]! & 0xc0) === 0x80) end--;
  const kept = bytes.slice(from, end);
  return new CsvChunk(
    kept,
    1,
    Int32Array.of(line),
    new Map([
      [
        0,
        `record is longer than ${dialect.maxRecordChars} bytes (limits.max_record_bytes); only its first ${KEPT_PREFIX} bytes are kept`,
      ],
    ]),
    Int32Array.of(0),
    Int32Array.of(kept.length),
    Int32Array.of(0, 1),
    kept.length,
  );
}

/**
 * The rest of a record too long to keep, skipped up to the line break that ends it. Quoted spans
 * are followed, so that a line break inside one does not end the record early.
 */
class OverlongRecord {
  private quoteOpen = false;
  /** Line breaks inside the record so far. */
  breaks = 0;
  private readonly quote: number;
  private readonly breakFirst: number;
  private readonly crlf: boolean;

  constructor(
    readonly line: number,
    quoteChar: string,
    private readonly lineBreak: LineBreak,
  ) {
    this.quote = quoteChar.charCodeAt(0);
    this.breakFirst = lineBreak.charCodeAt(0);
    this.crlf = lineBreak === '\r\n';
  }

  /**
   * Offset just after the line break ending the record in bytes[from, to), or -1 when it goes on.
   * A CR at `to - 1` of a CRLF file is left unread (the caller keeps it for the next bytes).
   */
  end(bytes: Uint8Array, from: number, to: number): number {
    for (let p = from; p < to; p++) {
      const c = bytes[p];
      if (c === this.quote) {
        this.quoteOpen = !this.quoteOpen;
        continue;
      }
      if (c !== this.breakFirst) continue;
      if (this.crlf) {
        if (p + 1 >= to) return -1;
        if (bytes[p + 1] !== LF) continue;
      }
      if (!this.quoteOpen) return p + this.lineBreak.length;
      this.breaks++;
    }
    return -1;
  }
}

/**
 * Streams CSV records out of UTF-8 bytes (see utf8Chunks) with CsvScanner, a scan at least every
 * 64 KiB. A record cut by a chunk boundary is kept for the next scan; its size is capped so that
 * an unterminated quote cannot grow memory without bound. A data record that passes the cap
 * outside a quoted field is skipped to the line break that ends it and yielded as a record with a
 * problem (its first bytes only), so that reading goes on at the next line; the header, or a
 * record whose quoted field never closes, is a DataError. A chunk holds until the next is asked for.
 */
export async function* readCsv(
  source: AsyncIterable<Uint8Array>,
  dialect: CsvDialect,
): AsyncGenerator<CsvChunk> {
  // Sized to what arrives, doubling: a 5 KB file needs no 128 KiB buffer.
  let work = new Uint8Array(0);
  let filled = 0;
  let scanner: CsvScanner | undefined;
  let lineBreak: LineBreak = '\n';
  let nextLine = 1;
  let sawRecord = false;
  let overlong: OverlongRecord | undefined;
  let done = false;
  const quote = dialect.quoteChar.charCodeAt(0);
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    // A source that fails (undecodable bytes) has yielded the bytes before the failure first:
    // its complete records are read before the error goes on.
    let failure: { error: unknown } | undefined;
    let fresh = 0;
    // A record longer than a chunk is scanned again from its start each time: as many new bytes
    // as are carried over keeps that to a few passes (one per 64 KiB made a 3 MB record of commas
    // take 1.6 s). But never so many that a record past the length limit could end inside them
    // unseen: it is caught as what is carried over after a scan.
    const wanted = Math.max(MIN_SCAN_BYTES, Math.min(filled, dialect.maxRecordChars - filled));
    while (!done && fresh < wanted) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        failure = { error };
        break;
      }
      if (next.done) {
        done = true;
        break;
      }
      const bytes = next.value;
      if (filled + bytes.length > work.length) {
        const grown = new Uint8Array(Math.max(work.length * 2, filled + bytes.length));
        grown.set(work.subarray(0, filled));
        work = grown;
      }
      work.set(bytes, filled);
      filled += bytes.length;
      fresh += bytes.length;
    }
    const final = done;
    let from = 0;
    if (overlong) {
      const end = overlong.end(work, 0, filled);
      if (end === -1 && !final) {
        // A CR at the end may be half of a CRLF that ends the record.
        const keep = work[filled - 1] === CR ? 1 : 0;
        work.copyWithin(0, filled - keep, filled);
        filled = keep;
        if (failure) throw failure.error;
        continue;
      }
      nextLine = overlong.line + overlong.breaks + 1;
      overlong = undefined;
      from = end === -1 ? filled : end;
    }
    if (from > 0) {
      work.copyWithin(0, from, filled);
      filled -= from;
    }
    if (!scanner) {
      // The line break is read off the first one in the file: until one shows in full (a CR at
      // the end may be half of a CRLF), the bytes are kept.
      const found = detectLineBreak(work, filled, final);
      if (found === undefined) {
        if (filled > dialect.maxRecordChars) throw tooLong(1, false, dialect, true);
        if (failure) throw failure.error;
        continue;
      }
      lineBreak = found;
      scanner = new CsvScanner(dialect.delimiter, dialect.quoteChar, lineBreak);
    }
    const scanned = scanner.scan(work, filled, final, nextLine);
    nextLine = scanned.nextLine;
    if (scanned.chunk.count) {
      sawRecord = true;
      yield scanned.chunk;
    }
    const { cursor } = scanned;
    if (filled - cursor > dialect.maxRecordChars) {
      const odd = quoteCount(work, cursor, filled, quote) % 2 === 1;
      if (!sawRecord || odd) throw tooLong(nextLine, odd, dialect, !sawRecord);
      // Outside quotes, the record ends at the next line break: it is one bad row, and the rest
      // of the file reads on.
      overlong = new OverlongRecord(nextLine, dialect.quoteChar, lineBreak);
      overlong.breaks = countBreaks(work, cursor, filled, lineBreak);
      yield overlongChunk(work, cursor, filled, nextLine, dialect);
      filled = 0;
    } else {
      work.copyWithin(0, cursor, filled);
      filled -= cursor;
    }
    if (failure) throw failure.error;
    if (final) return;
  }
}

/**
 * Runs the scanner over the chunk endings a file meets, a few times, when the module loads, as
 * the Parquet writer's Snappy and RLE code are primed: V8 compiles the scan loop while the first
 * chunk is being read, and a branch that had never run by then (a chunk ending inside a quoted
 * field, one ending just after a delimiter, a doubled quote, a last line without a line break)
 * deoptimizes it when first taken, after which the whole loop is compiled again (once over the
 * benchmark's first 10 MB without this; not at all with it). It costs 4 to 7 ms at load on the
 * bench machine, part of it compiling these functions to bytecode, which a first file would do.
 *
 * It also stores a second time into each field the loop's code depends on (the scanner's arrays,
 * which grow, and a chunk's cached text): V8 takes a field stored once for a constant, and a
 * compile of the loop in progress when a file first changes one is thrown away (the cached text
 * did so at each cold start, 20 to 50 ms of compile on the one core).
 */
function primeScanner(): void {
  const chunks: [string, boolean][] = [
    ['id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"cut in', false],
    ['id,note\n1,plain\n2,', false],
    ['id,note\n1,,x\n\n2,last line', true],
    // More fields and records than a new scanner has room for, so its arrays are replaced once.
    [`id,a,b,c\n${'1,2,3,4\n'.repeat(80)}`, true],
  ];
  const scanner = new CsvScanner(',', '"', '\n');
  // Plain Uint8Arrays, as readCsv's buffer is: a Buffer here would leave every byte read of the
  // scan loop checking for two maps.
  const encoder = new TextEncoder();
  for (let round = 0; round < 8; round++) {
    for (const [text, final] of chunks) {
      const bytes = encoder.encode(text);
      // A field as a string, as the header is read: the chunk's text is then cached.
      scanner.scan(bytes, bytes.length, final, 1).chunk.fields(0);
    }
  }
}
primeScanner();
