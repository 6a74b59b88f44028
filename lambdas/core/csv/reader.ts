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

/**
 * Streams CSV records out of text chunks with papaparse's chunk parser (arrays, no per-row
 * objects). A record cut by a chunk boundary is carried to the next chunk; its size is capped
 * so that an unterminated quote cannot grow memory without bound.
 */
export async function* readCsv(text: AsyncIterable<string>, dialect: CsvDialect): AsyncGenerator<CsvChunk> {
  let parser: Papa.Parser | undefined;
  let lineBreak = '\n';
  let carry = '';
  let nextLine = 1;
  const iterator = text[Symbol.asyncIterator]();
  let current = await iterator.next();
  while (!current.done) {
    const following = await iterator.next();
    const final = following.done === true;
    const input = carry.length ? carry + current.value : current.value;
    if (!parser) {
      // The line break is read off the first one in the file: until a chunk shows one in full (a
      // CR at a chunk's end may be half of a CRLF), the text is carried.
      const cr = input.indexOf('\r');
      if (!final && input.indexOf('\n') === -1 && (cr === -1 || cr === input.length - 1)) {
        if (input.length > dialect.maxRecordChars) {
          throw new DataError(
            'RECORD_TOO_LONG',
            `record starting on line 1 is longer than ${dialect.maxRecordChars} characters (unterminated quote?)`,
            { line: 1 },
          );
        }
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
    const result = parser.parse(input, 0, !final);
    const cursor = final ? input.length : result.meta.cursor;
    carry = input.slice(cursor);
    if (carry.length > dialect.maxRecordChars) {
      throw new DataError(
        'RECORD_TOO_LONG',
        `record starting on line ${nextLine + countBreaks(input, 0, cursor, lineBreak)} is longer than ${dialect.maxRecordChars} characters (unterminated quote?)`,
        { line: nextLine + countBreaks(input, 0, cursor, lineBreak) },
      );
    }
    const data = result.data as string[][];
    const consumedBreaks = countBreaks(input, 0, cursor, lineBreak);
    // The final chunk always yields one more record than breaks: the last line, or an empty one.
    // Otherwise the extra breaks sit inside quoted fields.
    const extra = consumedBreaks + (final ? 1 : 0) - data.length;
    const allLines = recordLines(data, nextLine, extra, input, cursor, dialect.quoteChar, lineBreak);
    nextLine += data.length + Math.max(extra, 0);
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
    if (records.length) yield { records, lines, problems, chars: cursor };
    current = following;
  }
}
