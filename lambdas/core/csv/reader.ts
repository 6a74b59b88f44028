import Papa from 'papaparse';
import { DataError } from '../errors.js';

export interface CsvDialect {
  readonly delimiter: string;
  readonly quoteChar: string;
  /** A record (possibly spanning lines) longer than this many characters is a file-level error. */
  readonly maxRecordChars: number;
}

/** Parsed records of one text chunk. Blank lines are dropped but counted in line numbers. */
export interface CsvChunk {
  /** Records as arrays of fields; the first record of the file is the header. */
  readonly records: string[][];
  /** 1-based line on which each record starts. */
  readonly lines: Int32Array;
  /** Malformed-quote problems by record index in this chunk. */
  readonly problems: Map<number, string>;
  /** Characters of text these records came from. */
  readonly chars: number;
}

function detectLineBreak(text: string): '\n' | '\r\n' | '\r' {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr === -1 || (lf !== -1 && lf < cr)) return '\n';
  return text.charCodeAt(cr + 1) === 10 ? '\r\n' : '\r';
}

/** Line breaks inside a record's fields (only quoted fields can hold them). */
function breaksInside(record: string[], lineBreak: string): number {
  // Lines are counted by the file's own line break, as countBreaks does for the chunk.
  let n = 0;
  for (const field of record) {
    if (field.length === 0) continue;
    for (let p = field.indexOf(lineBreak); p !== -1; p = field.indexOf(lineBreak, p + lineBreak.length)) n++;
  }
  return n;
}

function countBreaks(text: string, from: number, end: number, lineBreak: string): number {
  let n = 0;
  for (
    let p = text.indexOf(lineBreak, from);
    p !== -1 && p < end;
    p = text.indexOf(lineBreak, p + lineBreak.length)
  )
    n++;
  return n;
}

/**
 * Records of `data` that may hold line breaks, found from the text rather than the records: the
 * quoted spans of text[0, end) that contain a break, each mapped to a record index by counting the
 * breaks outside such spans before it. Quotes are paired naively (a doubled quote closes and
 * reopens a span, which is harmless); the caller checks the answer against the records themselves.
 */
function candidateRecords(text: string, end: number, quote: string, lineBreak: string): number[] {
  const found: number[] = [];
  let record = 0;
  let counted = 0;
  for (let open = text.indexOf(quote); open !== -1 && open < end; ) {
    const close = text.indexOf(quote, open + 1);
    const spanEnd = close === -1 || close > end ? end : close;
    const firstBreak = text.indexOf(lineBreak, open + 1);
    if (firstBreak !== -1 && firstBreak < spanEnd) {
      record += countBreaks(text, counted, open, lineBreak);
      counted = spanEnd;
      if (found[found.length - 1] !== record) found.push(record);
    }
    if (spanEnd === end) break;
    open = text.indexOf(quote, close + 1);
  }
  return found;
}

/**
 * The line each record of `data` starts on, given the first record's line and how many line
 * breaks the records hold inside quoted fields in all (`extra`). Only a few records do, so they
 * are looked for through the text's quoted spans and checked on the records: when the breaks
 * found there add up to `extra`, every other record has none. Otherwise (quotes the naive pairing
 * misreads) every record is scanned.
 */
function recordLines(
  data: string[][],
  firstLine: number,
  extra: number,
  text: string,
  end: number,
  quote: string,
  lineBreak: string,
): Int32Array {
  const lines = new Int32Array(data.length);
  const inside = new Map<number, number>();
  if (extra > 0) {
    let found = 0;
    for (const r of candidateRecords(text, end, quote, lineBreak)) {
      if (r >= data.length) break;
      const n = breaksInside(data[r]!, lineBreak);
      if (n > 0) inside.set(r, n);
      found += n;
    }
    if (found !== extra) {
      inside.clear();
      let left = extra;
      for (let r = 0; r < data.length && left > 0; r++) {
        const n = breaksInside(data[r]!, lineBreak);
        if (n > 0) inside.set(r, n);
        left -= n;
      }
    }
  }
  let line = firstLine;
  if (inside.size === 0) {
    for (let r = 0; r < lines.length; r++) lines[r] = line++;
    return lines;
  }
  for (let r = 0; r < lines.length; r++) {
    lines[r] = line;
    line += 1 + (inside.get(r) ?? 0);
  }
  return lines;
}

/** Bytes of an overlong record kept in its bad row: enough to find it, never the whole record. */
const KEPT_PREFIX = 1024;

/** Counts quote characters: an odd count means a quoted field is still open. */
function quoteCount(text: string, quote: string): number {
  let n = 0;
  for (let p = text.indexOf(quote); p !== -1; p = text.indexOf(quote, p + 1)) n++;
  return n;
}

/** The start of byte text, cut back to a character boundary so that it decodes cleanly. */
function prefixOf(text: string): string {
  if (text.length <= KEPT_PREFIX) return text;
  let end = KEPT_PREFIX;
  while (end > 0 && (text.charCodeAt(end) & 0xc0) === 0x80) end--;
  return text.slice(0, end);
}

/** The DataError for a record too long to read on, naming what made it so. */
function tooLong(line: number, record: string, dialect: CsvDialect, header: boolean): DataError {
  const what = header ? `header record starting on line ${line}` : `record starting on line ${line}`;
  const why =
    quoteCount(record, dialect.quoteChar) % 2 === 1
      ? 'a quoted field opens in it and does not close within that length (unterminated quote?)'
      : 'it has no line break within that length';
  return new DataError(
    'RECORD_TOO_LONG',
    `${what} is longer than ${dialect.maxRecordChars} bytes (limits.max_record_bytes): ${why}`,
    { line },
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

  constructor(
    readonly line: number,
    private readonly quote: string,
    private readonly lineBreak: string,
  ) {}

  /** Offset just after the line break ending the record in `text`, or -1 when it goes on. */
  end(text: string): number {
    let pos = 0;
    for (;;) {
      const q = text.indexOf(this.quote, pos);
      if (this.quoteOpen) {
        this.breaks += countBreaks(text, pos, q === -1 ? text.length : q, this.lineBreak);
        if (q === -1) return -1;
        this.quoteOpen = false;
        pos = q + 1;
        continue;
      }
      const b = text.indexOf(this.lineBreak, pos);
      if (b !== -1 && (q === -1 || b < q)) return b + this.lineBreak.length;
      if (q === -1) return -1;
      this.quoteOpen = true;
      pos = q + 1;
    }
  }
}

/**
 * Streams CSV records out of text chunks with papaparse's chunk parser (arrays, no per-row
 * objects). A record cut by a chunk boundary is carried to the next chunk; its size is capped
 * so that an unterminated quote cannot grow memory without bound. A data record that passes the
 * cap outside a quoted field is skipped to the line break that ends it and yielded as a record
 * with a problem (its first bytes only), so that reading goes on at the next line; the header,
 * or a record whose quoted field never closes, is a DataError.
 */
export async function* readCsv(text: AsyncIterable<string>, dialect: CsvDialect): AsyncGenerator<CsvChunk> {
  let parser: Papa.Parser | undefined;
  let lineBreak = '\n';
  let carry = '';
  let nextLine = 1;
  let sawRecord = false;
  let overlong: OverlongRecord | undefined;
  const iterator = text[Symbol.asyncIterator]();
  let current = await iterator.next();
  while (!current.done) {
    // A source that fails (undecodable bytes) has yielded the text before the failure first: its
    // complete records are read before the error goes on.
    let failure: { error: unknown } | undefined;
    const following = await iterator.next().catch((error: unknown) => {
      failure = { error };
      return { done: false, value: '' } as IteratorResult<string>;
    });
    const final = following.done === true;
    let input = carry.length ? carry + current.value : current.value;
    carry = '';
    if (overlong) {
      const end = overlong.end(input);
      if (end === -1 && !final) {
        // A CR at the end may be half of a CRLF that ends the record.
        if (input.endsWith('\r')) carry = '\r';
        if (failure) throw failure.error;
        current = following;
        continue;
      }
      nextLine = overlong.line + overlong.breaks + 1;
      overlong = undefined;
      input = end === -1 ? '' : input.slice(end);
    }
    if (!parser) {
      // The line break is read off the first one in the file: until a chunk shows one in full (a
      // CR at a chunk's end may be half of a CRLF), the text is carried.
      const cr = input.indexOf('\r');
      if (!final && input.indexOf('\n') === -1 && (cr === -1 || cr === input.length - 1)) {
        if (input.length > dialect.maxRecordChars) throw tooLong(1, input, dialect, true);
        if (failure) throw failure.error;
        carry = input;
        current = following;
        continue;
      }
      lineBreak = detectLineBreak(input);
      parser = new Papa.Parser({
        delimiter: dialect.delimiter,
        quoteChar: dialect.quoteChar,
        escapeChar: dialect.quoteChar,
        newline: lineBreak as Papa.ParseConfig['newline'],
        skipEmptyLines: false,
      });
    }
    const chunk = parseChunk(parser, input, final, nextLine, dialect.quoteChar, lineBreak);
    nextLine = chunk.nextLine;
    carry = input.slice(chunk.cursor);
    if (chunk.records.length) {
      sawRecord = true;
      yield chunk;
    }
    if (carry.length > dialect.maxRecordChars) {
      const odd = quoteCount(carry, dialect.quoteChar) % 2 === 1;
      if (!sawRecord || odd) throw tooLong(nextLine, carry, dialect, !sawRecord);
      // Outside quotes, the record ends at the next line break: it is one bad row, and the rest
      // of the file reads on.
      overlong = new OverlongRecord(nextLine, dialect.quoteChar, lineBreak);
      overlong.breaks = countBreaks(carry, 0, carry.length, lineBreak);
      yield {
        records: [[prefixOf(carry)]],
        lines: Int32Array.of(nextLine),
        problems: new Map([
          [
            0,
            `record is longer than ${dialect.maxRecordChars} bytes (limits.max_record_bytes); only its first ${KEPT_PREFIX} bytes are kept`,
          ],
        ]),
        chars: Math.min(carry.length, KEPT_PREFIX),
      };
      carry = '';
    }
    if (failure) throw failure.error;
    current = following;
  }
}

/** The records of one parsed text chunk, their lines, and where parsing stopped. */
function parseChunk(
  parser: Papa.Parser,
  input: string,
  final: boolean,
  firstLine: number,
  quoteChar: string,
  lineBreak: string,
): CsvChunk & { cursor: number; nextLine: number } {
  const result = parser.parse(input, 0, !final);
  const cursor = final ? input.length : result.meta.cursor;
  const data = result.data as string[][];
  const consumedBreaks = countBreaks(input, 0, cursor, lineBreak);
  // The final chunk always yields one more record than breaks: the last line, or an empty one.
  // Otherwise the extra breaks sit inside quoted fields.
  const extra = consumedBreaks + (final ? 1 : 0) - data.length;
  const allLines = recordLines(data, firstLine, extra, input, cursor, quoteChar, lineBreak);
  const nextLine = firstLine + data.length + Math.max(extra, 0);
  const rowProblems = new Map<number, string>();
  for (const err of result.errors) {
    if (err.row !== undefined && !rowProblems.has(err.row)) rowProblems.set(err.row, err.message);
  }
  // Blank lines come out as records of one empty field; they are dropped unless malformed.
  let records = data;
  let lines = allLines;
  let problems = rowProblems;
  let kept = 0;
  for (let i = 0; i < data.length; i++) {
    const record = data[i]!;
    const blank = record.length === 1 && record[0] === '' && !rowProblems.has(i);
    if (blank) {
      if (records === data) {
        records = data.slice(0, i);
        lines = new Int32Array(data.length);
        lines.set(allLines.subarray(0, i));
        problems = new Map([...rowProblems].filter(([r]) => r < i));
        kept = i;
      }
      continue;
    }
    if (records === data) continue;
    const problem = rowProblems.get(i);
    if (problem) problems.set(kept, problem);
    records.push(record);
    lines[kept++] = allLines[i]!;
  }
  if (records !== data) lines = lines.subarray(0, kept);
  return { records, lines, problems, chars: cursor, cursor, nextLine };
}

/**
 * Runs papaparse over the chunk endings a file's text meets, a few times, when the module loads,
 * as the Parquet writer's Snappy and RLE code are primed: V8 compiles the parse loop while the
 * first chunk is being read, and a branch that had never run by then (a chunk ending inside a
 * quoted field, one ending just after a delimiter, a last line without a line break) deoptimizes
 * it when first taken, after which the whole loop is compiled again: three times over the
 * benchmark's first 10 MB (once with this, for a read past a chunk's end).
 */
function primeParser(): void {
  const chunks: [string, boolean][] = [
    ['id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,"cut in', true],
    ['id,note\n1,plain\n2,', true],
    ['id,note\n1,,x\n\n2,last line', false],
  ];
  for (let round = 0; round < 8; round++) {
    for (const [text, moreToCome] of chunks) {
      const parser = new Papa.Parser({
        delimiter: ',',
        quoteChar: '"',
        escapeChar: '"',
        newline: '\n',
        skipEmptyLines: false,
      });
      parser.parse(text, 0, moreToCome);
    }
  }
}
primeParser();
