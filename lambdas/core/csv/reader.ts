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
  readonly lines: number[];
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

function countBreaks(text: string, end: number, lineBreak: string): number {
  let n = 0;
  for (
    let p = text.indexOf(lineBreak);
    p !== -1 && p < end;
    p = text.indexOf(lineBreak, p + lineBreak.length)
  )
    n++;
  return n;
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
        `record starting on line ${nextLine + countBreaks(input, cursor, lineBreak)} is longer than ${dialect.maxRecordChars} characters (unterminated quote?)`,
        { line: nextLine + countBreaks(input, cursor, lineBreak) },
      );
    }
    const data = result.data as string[][];
    const problems = new Map<number, string>();
    for (const err of result.errors) {
      if (err.row !== undefined && !problems.has(err.row)) problems.set(err.row, err.message);
    }
    // Fast path: every record took exactly one line, so line numbers are sequential.
    const consumedBreaks = countBreaks(input, cursor, lineBreak);
    // The final chunk always yields one more record than breaks: the last line, or an empty one.
    // Otherwise the extra breaks sit inside quoted fields; once all are found, the rest is sequential.
    let extraBreaks = consumedBreaks + (final ? 1 : 0) - data.length;
    const records: string[][] = [];
    const lines: number[] = [];
    const kept = new Map<number, string>();
    for (let i = 0; i < data.length; i++) {
      const record = data[i]!;
      const line = nextLine;
      if (extraBreaks > 0) {
        const inside = breaksInside(record, lineBreak);
        extraBreaks -= inside;
        nextLine += 1 + inside;
      } else nextLine += 1;
      if (record.length === 1 && record[0] === '' && !problems.has(i)) continue;
      if (problems.size) {
        const problem = problems.get(i);
        if (problem) kept.set(records.length, problem);
      }
      records.push(record);
      lines.push(line);
    }
    if (records.length) yield { records, lines, problems: kept, chars: cursor };
    current = following;
  }
}
