/**
 * The records of one chunk of CSV bytes: where each field starts and ends in the bytes, the line
 * each record starts on, and the records' problems. Fields are read as byte text (one character
 * per byte, see utf8Chunks) or handed on as bytes. A chunk's bytes and offsets are the reader's
 * buffers: they hold until the next chunk is asked for.
 */
export class CsvChunk {
  private cachedText: string | undefined;

  constructor(
    /** The bytes the fields are in; quoted fields are already unquoted in place. */
    readonly bytes: Uint8Array,
    /** How many records. */
    readonly count: number,
    /** 1-based line on which each record starts. */
    readonly lines: Int32Array,
    /** Malformed-quote and length problems by record index. */
    readonly problems: Map<number, string>,
    /** By field: where it starts and ends in `bytes`. */
    readonly fieldStarts: Int32Array,
    readonly fieldEnds: Int32Array,
    /** By record: its first field's index; record r's fields end where record r + 1's begin. */
    readonly firstField: Int32Array,
    /** Bytes of the file these records came from. */
    readonly chars: number,
  ) {}

  /** The chunk's bytes as byte text, made once, when a field is first wanted as a string. */
  text(): string {
    this.cachedText ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).toString(
      'latin1',
      0,
      this.chars,
    );
    return this.cachedText;
  }

  fieldCount(record: number): number {
    return this.firstField[record + 1]! - this.firstField[record]!;
  }

  /** Field `k` of a record as byte text. */
  field(record: number, k: number): string {
    const f = this.firstField[record]! + k;
    return this.text().slice(this.fieldStarts[f]!, this.fieldEnds[f]!);
  }

  /** All fields of a record as byte text. */
  fields(record: number): string[] {
    const out: string[] = [];
    for (let f = this.firstField[record]!; f < this.firstField[record + 1]!; f++) {
      out.push(this.text().slice(this.fieldStarts[f]!, this.fieldEnds[f]!));
    }
    return out;
  }
}

export type LineBreak = '\n' | '\r\n' | '\r';

const UNTERMINATED_QUOTE = 'Quoted field unterminated';
const MALFORMED_QUOTE = 'Trailing quote on quoted field is malformed';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** A chunk scanned, and where the text it could not finish starts. */
interface Scanned {
  readonly chunk: CsvChunk;
  /** Offset just past the last complete record: the rest waits for more bytes. */
  readonly cursor: number;
  /** The line the bytes at `cursor` start on. */
  readonly nextLine: number;
}

/**
 * A CSV tokenizer for RFC 4180 text over UTF-8 bytes, with papaparse's leniencies: a quote inside
 * an unquoted field is text, spaces may follow a closing quote, and a closing quote followed by
 * anything else is text too (the record gets a problem). Records end at the file's own line break
 * (one kind per file), so a lone LF in a CRLF file is text. One pass gives each field's offsets
 * and each record's line; no string is made for a field until one is asked for, so text columns
 * go from the file's bytes to the Parquet page's without one.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly breakFirst: number;
  private readonly breakLength: number;
  private readonly crlf: boolean;
  // Doubled as chunks need: a small file's chunk is small.
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private firstField = new Int32Array(64);
  private lines = new Int32Array(64);
  /** Fields of the current record holding a quote character to undouble, once the record is whole. */
  private readonly quoted: number[] = [];

  constructor(delimiter: string, quoteChar: string, lineBreak: LineBreak) {
    this.delimiter = delimiter.charCodeAt(0);
    this.quote = quoteChar.charCodeAt(0);
    this.breakFirst = lineBreak.charCodeAt(0);
    this.breakLength = lineBreak.length;
    this.crlf = lineBreak === '\r\n';
  }

  /**
   * The complete records of bytes[0, end). Unless `final`, a record the bytes may not hold in full
   * is left for the next call, which gets it again at the start of its bytes.
   *
   * One loop rather than a method per field, quoted or plain: it runs once per byte of every file,
   * and its state (position, field and record counts, line) stays in locals that a call per
   * field would write back to the instance and read again.
   */
  scan(bytes: Uint8Array, end: number, final: boolean, firstLine: number): Scanned {
    const { delimiter, quote, breakFirst, crlf } = this;
    const problems = new Map<number, string>();
    // The record's quoted fields, the first `quotedCount` entries: counted rather than emptied per
    // record, as setting an array's length calls into the runtime (about 1% of a file's time).
    const quoted = this.quoted;
    let starts = this.starts;
    let ends = this.ends;
    let fields = 0;
    let records = 0;
    let line = firstLine;
    let cursor = 0;
    let pos = 0;
    /** Fields of the complete records: a record cut off leaves its fields past this. */
    let kept = 0;
    scanning: while (pos < end) {
      const recordStart = fields;
      let inner = 0;
      let problem: string | undefined;
      let quotedCount = 0;
      for (;;) {
        if (fields === starts.length) {
          this.grow();
          starts = this.starts;
          ends = this.ends;
        }
        let fieldEnd: number;
        if (bytes[pos] === quote) {
          const open = pos + 1;
          let p = open;
          let hasQuote = false;
          for (;;) {
            // To the next quote, counting the line breaks on the way.
            for (; p < end; p++) {
              const c = bytes[p]!;
              if (c === quote) break;
              if (c === breakFirst && (!crlf || bytes[p + 1] === LF)) inner++;
            }
            if (p >= end) {
              // The field runs to the end of the text: unterminated, or not all here yet. It is
              // kept as it stands, doubled quotes and all (as papaparse keeps it).
              if (!final) break scanning;
              problem ??= UNTERMINATED_QUOTE;
              hasQuote = false;
              fieldEnd = end;
              pos = end;
              break;
            }
            if (p + 1 >= end && !final) break scanning;
            if (bytes[p + 1] === quote) {
              hasQuote = true;
              p += 2;
              continue;
            }
            // A closing quote may be followed by whitespace (papaparse trims it) before the
            // delimiter or line break; with anything else after it, the quote is text.
            let after = p + 1;
            for (; after < end; after++) {
              const c = bytes[after]!;
              if (c === delimiter || (c === breakFirst && (!crlf || bytes[after + 1] === LF))) break;
              if (c !== SPACE && (c < TAB || c > CR)) break;
            }
            let closes: boolean;
            if (after >= end) {
              if (!final) break scanning;
              closes = after === p + 1;
            } else {
              const c = bytes[after]!;
              closes = c === delimiter || (c === breakFirst && (!crlf || bytes[after + 1] === LF));
            }
            if (!closes) {
              problem ??= MALFORMED_QUOTE;
              hasQuote = true;
              p++;
              continue;
            }
            fieldEnd = p;
            pos = after;
            break;
          }
          starts[fields] = open;
          if (hasQuote) quoted[quotedCount++] = fields;
        } else {
          let p = pos;
          for (; p < end; p++) {
            const c = bytes[p]!;
            if (c === delimiter) break;
            if (c === breakFirst) {
              if (!crlf) break;
              if (p + 1 >= end) {
                // A CR at the end may be the first half of a CRLF.
                if (!final) break scanning;
                continue;
              }
              if (bytes[p + 1] === LF) break;
            }
          }
          if (p >= end && !final) break scanning;
          starts[fields] = pos;
          fieldEnd = p;
          pos = p;
        }
        ends[fields++] = fieldEnd;
        if (pos >= end) break;
        if (bytes[pos] === delimiter) {
          pos++;
          if (pos < end) continue;
          // A delimiter ends the text: an empty last field, unless more text follows.
          if (!final) break scanning;
          if (fields === starts.length) {
            this.grow();
            starts = this.starts;
            ends = this.ends;
          }
          starts[fields] = pos;
          ends[fields++] = pos;
          break;
        }
        pos += this.breakLength;
        break;
      }
      // The record is whole.
      cursor = pos;
      const startLine = line;
      line += 1 + inner;
      // A blank line comes out as one empty field: it is no record, but it counts as a line.
      if (fields - recordStart === 1 && starts[recordStart] === ends[recordStart] && problem === undefined) {
        fields = recordStart;
        continue;
      }
      kept = fields;
      for (let q = 0; q < quotedCount; q++) {
        const f = quoted[q]!;
        ends[f] = undouble(bytes, starts[f]!, ends[f]!, quote);
      }
      if (records + 1 >= this.lines.length) this.growRecords();
      this.firstField[records] = recordStart;
      this.lines[records] = startLine;
      if (problem !== undefined) problems.set(records, problem);
      records++;
    }
    this.firstField[records] = kept;
    const chunk = new CsvChunk(
      bytes,
      records,
      this.lines.subarray(0, records),
      problems,
      starts,
      ends,
      this.firstField,
      cursor,
    );
    return { chunk, cursor, nextLine: line };
  }

  private grow(): void {
    this.starts = doubled(this.starts);
    this.ends = doubled(this.ends);
  }

  private growRecords(): void {
    this.firstField = doubled(this.firstField);
    this.lines = doubled(this.lines);
  }
}

/** A copy of `array` with twice its length. */
function doubled(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(array.length * 2);
  grown.set(array);
  return grown;
}

/**
 * Turns each doubled quote of bytes[from, to) into one, in place, left to right (as a global
 * replace of the pair would), and returns the field's new end.
 */
function undouble(bytes: Uint8Array, from: number, to: number, quote: number): number {
  let w = from;
  for (let r = from; r < to; r++) {
    const c = bytes[r]!;
    bytes[w++] = c;
    if (c === quote && r + 1 < to && bytes[r + 1] === quote) r++;
  }
  return w;
}

/** The line break a file uses, read off the first one in `bytes`, or undefined when none is whole yet. */
export function detectLineBreak(bytes: Uint8Array, end: number, final: boolean): LineBreak | undefined {
  for (let i = 0; i < end; i++) {
    const c = bytes[i];
    if (c === LF) return '\n';
    if (c === CR) {
      if (i + 1 < end) return bytes[i + 1] === LF ? '\r\n' : '\r';
      return final ? '\r' : undefined;
    }
  }
  return final ? '\n' : undefined;
}
