import type { Contract } from '../contract.js';
import { byteTextOf, textOf } from '../csv/decode.js';
import type { CsvChunk } from '../csv/scanner.js';
import { ByteSpans, type ColumnValues, NumberValues } from '../parquet/index.js';
import { schemaEvolutionOf, usesRescue } from '../schema-evolution.js';
import { FIELD_EMPTY, type PlainReader, plainReaderOf, readPlain, VALUE_READ } from './byte-values.js';
import type { HeaderMapping } from './header.js';
import { BadValue, columnParser, type FieldParser, nullMarkersOf, typeLabel } from './values.js';

const NON_ASCII = /[\x80-\uffff]/;
/** Rows a block's arrays start with; they double as blocks grow (a small file's stay small). */
const BLOCK_SPANS = 64;
const EMPTY = new Uint8Array(0);
const KEEP: FieldParser = (raw) => raw;
/** The block's array of a column whose values are kept elsewhere (spans, numbers): frozen empty. */
const NO_VALUES = Object.freeze([]) as unknown as unknown[];

/**
 * Converts records of a CsvChunk into a block of column-major values for bronze, checking field
 * count, limits, types and required values. A bad record leaves the block untouched. String
 * columns are kept as spans of the chunk's bytes (ByteSpans), so their values never become
 * strings; typed columns are read from the bytes, or parsed from the field's byte text (see
 * utf8Chunks), into arrays of numbers (NumberValues), so no value is boxed. A typed column that
 * meets a value beyond a double's exact integers (a bigint) is kept in a plain array from then on. Under the
 * contract's schema evolution, columns the file lacks are NULL, and bad values (`bad_values:
 * rescue`, in nullable columns) and unexpected columns (`unexpected_columns: rescue`) go to one
 * more column, `_rescued_data`, as a JSON object of column name to raw text. A block's rows all
 * come from one chunk: the caller takes the block before it reads the next chunk.
 */
export class RowConverter {
  private readonly parsers: FieldParser[];
  /** By typed column: its reader of plain forms straight from the bytes, if it has one. */
  private readonly readers: (PlainReader | undefined)[];
  private readonly names: string[];
  private readonly typeNames: string[];
  private readonly required: boolean[];
  private readonly maxFieldBytes: number;
  /** By column: kept as byte spans (a string column), and its NULL markers as byte text. */
  private readonly spanColumn: boolean[];
  /** How many columns are kept as spans. */
  private readonly spanColumns: number;
  /** By column: a typed column kept as numbers, not (any longer) in an array of values. */
  private readonly numberColumn: boolean[];
  private readonly markers: string[][];
  /** Every column is a string kept exactly as read (no conversion, never null). */
  private readonly verbatim: boolean;
  /** Bronze has `_rescued_data`, the column after the contract's. */
  private readonly rescueColumn: boolean;
  private readonly rescueBadValues: boolean;
  /** Source indexes of unexpected columns whose values are rescued. */
  private readonly rescuedExtras: readonly number[];
  private readonly rescuedCounts = new Map<string, number>();
  // The block being built: values of typed columns (and `_rescued_data`), spans of string ones.
  private values: unknown[][] = [];
  private starts: Int32Array[] = [];
  private ends: Int32Array[] = [];
  private numbers: Float64Array[] = [];
  private present: Uint8Array[] = [];
  /** Where a plain form is read for a column kept in an array. */
  private readonly oneValue = new Float64Array(1);
  /** The chunk the block's rows come from (the reader reuses its bytes for the next chunk). */
  private blockChunk: CsvChunk | undefined;
  private capacity = BLOCK_SPANS;
  /** Rows in the block. */
  rows = 0;

  constructor(
    contract: Contract,
    private readonly mapping: HeaderMapping,
  ) {
    // String columns are kept as spans and never parsed.
    this.parsers = contract.columns.map((c) => (c.type === 'string' ? KEEP : columnParser(c, contract)));
    this.readers = contract.columns.map((c) => plainReaderOf(c, contract));
    this.names = contract.columns.map((c) => c.name);
    this.typeNames = contract.columns.map(typeLabel);
    this.required = contract.columns.map((c) => !c.nullable);
    this.spanColumn = contract.columns.map((c) => c.type === 'string');
    this.markers = contract.columns.map((c) => nullMarkersOf(c, contract));
    this.maxFieldBytes = contract.limits.max_field_bytes;
    const evolution = schemaEvolutionOf(contract);
    this.rescueColumn = usesRescue(contract);
    this.rescueBadValues = evolution.badValues === 'rescue';
    this.rescuedExtras = evolution.unexpectedColumns === 'rescue' ? mapping.extraIndex : [];
    this.verbatim =
      this.spanColumn.every((span, i) => span && this.markers[i]!.length === 0) &&
      !this.rescueColumn &&
      mapping.missing.length === 0;
    this.spanColumns = this.spanColumn.filter(Boolean).length;
    this.numberColumn = this.spanColumn.map((span) => !span);
    this.allocateSpans();
    this.allocateNumbers();
    this.values = this.emptyValues();
  }

  /**
   * Span arrays of `capacity` rows for the string columns, all views of one buffer: a small file
   * makes a converter of its own, and a typed array with a buffer of its own costs about a
   * microsecond to make, two per string column.
   */
  private allocateSpans(): void {
    const all = new Int32Array(2 * this.spanColumns * this.capacity);
    const empty = new Int32Array(0);
    let at = 0;
    for (let c = 0; c < this.spanColumn.length; c++) {
      if (!this.spanColumn[c]) {
        this.starts[c] = empty;
        this.ends[c] = empty;
        continue;
      }
      // When growing, the rows so far move over.
      const starts = all.subarray(at, at + this.capacity);
      const ends = all.subarray(at + this.capacity, at + 2 * this.capacity);
      if (this.starts[c]) starts.set(this.starts[c]!);
      if (this.ends[c]) ends.set(this.ends[c]!);
      this.starts[c] = starts;
      this.ends[c] = ends;
      at += 2 * this.capacity;
    }
  }

  /** Number and presence arrays of `capacity` rows for the typed columns, views of two buffers. */
  private allocateNumbers(): void {
    const typed = this.numberColumn.length - this.spanColumns;
    const numbers = new Float64Array(typed * this.capacity);
    const present = new Uint8Array(typed * this.capacity);
    let at = 0;
    for (let c = 0; c < this.numberColumn.length; c++) {
      if (this.spanColumn[c]) continue;
      const values = numbers.subarray(at, at + this.capacity);
      const flags = present.subarray(at, at + this.capacity);
      if (this.numbers[c]) values.set(this.numbers[c]!);
      if (this.present[c]) flags.set(this.present[c]!);
      this.numbers[c] = values;
      this.present[c] = flags;
      at += this.capacity;
    }
  }

  /**
   * Moves typed column `c` from numbers to an array of values, for a bigint: its rows so far, and
   * every later block, go to the array.
   */
  private keepInArray(c: number): unknown[] {
    const values = this.numbers[c]!;
    const present = this.present[c]!;
    const column: unknown[] = [];
    for (let r = 0; r < this.rows; r++) column.push(present[r] === 0 ? null : values[r]);
    this.numberColumn[c] = false;
    this.values[c] = column;
    return column;
  }

  /** readPlain for a column kept in an array: a value read is pushed onto it. */
  private readPlainOnto(
    column: unknown[],
    reader: PlainReader,
    bytes: Uint8Array,
    start: number,
    end: number,
  ) {
    const read = readPlain(reader, bytes, start, end, this.oneValue, 0);
    if (read === VALUE_READ) column.push(this.oneValue[0]);
    return read;
  }

  /** Values rescued so far (of rows that were kept), by column name. */
  rescuedValues(): Record<string, number> {
    return Object.fromEntries(this.rescuedCounts);
  }

  /**
   * The block's columns (the contract's, then `_rescued_data` when the dataset rescues), and a
   * new empty block. The spans are the converter's own arrays, good until the next append.
   */
  takeBlock(): ColumnValues[] {
    const n = this.rows;
    const out: ColumnValues[] = [];
    for (let c = 0; c < this.spanColumn.length; c++) {
      if (this.spanColumn[c])
        out.push(new ByteSpans(this.blockChunk?.bytes ?? EMPTY, this.starts[c]!, this.ends[c]!, n));
      else if (this.numberColumn[c]) out.push(new NumberValues(this.numbers[c]!, this.present[c]!, n));
      else out.push(this.values[c] as ColumnValues);
    }
    if (this.rescueColumn) out.push(this.values[this.spanColumn.length] as ColumnValues);
    this.values = this.emptyValues();
    this.rows = 0;
    return out;
  }

  /** A new array for each column kept in one (and `_rescued_data`); spans and numbers have their own. */
  private emptyValues(): unknown[][] {
    const values: unknown[][] = [];
    for (let c = 0; c < this.spanColumn.length; c++)
      values.push(this.spanColumn[c] || this.numberColumn[c] ? NO_VALUES : []);
    if (this.rescueColumn) values.push([]);
    return values;
  }

  /** Room for one more row in the span and number arrays. */
  private fitRow(): void {
    if (this.rows < this.capacity) return;
    this.capacity *= 2;
    this.allocateSpans();
    this.allocateNumbers();
  }

  /**
   * Appends record `r` of `chunk` to the block, or returns why the record is bad. `fieldsFit`
   * says the caller knows no field can pass max_field_bytes (the record came from a shorter text).
   */
  append(chunk: CsvChunk, r: number, fieldsFit = false): string | undefined {
    const count = chunk.fieldCount(r);
    if (count !== this.mapping.fieldCount) {
      return `has ${count} fields, expected ${this.mapping.fieldCount}`;
    }
    // Compared by chunk, not by bytes: the reader's next chunk may sit in the same buffer.
    if (this.rows > 0 && chunk !== this.blockChunk) {
      throw new Error('a block of rows must come from one chunk: take the block first');
    }
    this.blockChunk = chunk;
    this.fitRow();
    const { sourceIndex } = this.mapping;
    const first = chunk.firstField[r]!;
    const fieldStarts = chunk.fieldStarts;
    const fieldEnds = chunk.fieldEnds;
    const row = this.rows;
    if (this.verbatim) {
      // Every column is a string kept as it is: only a field's length can make the record bad.
      if (!fieldsFit) {
        for (let c = 0; c < sourceIndex.length; c++) {
          const f = first + sourceIndex[c]!;
          if (fieldEnds[f]! - fieldStarts[f]! > this.maxFieldBytes) return this.tooLong(c);
        }
      }
      for (let c = 0; c < sourceIndex.length; c++) {
        const f = first + sourceIndex[c]!;
        this.starts[c]![row] = fieldStarts[f]!;
        this.ends[c]![row] = fieldEnds[f]!;
      }
      this.rows++;
      return undefined;
    }
    // Values go straight into the block; a bad record takes back what it added (undo).
    const values = this.values;
    let rescued: Record<string, string> | undefined;
    for (let c = 0; c < sourceIndex.length; c++) {
      const at = sourceIndex[c]!;
      if (at < 0) {
        if (this.spanColumn[c]) this.starts[c]![row] = -1;
        else if (this.numberColumn[c]) this.present[c]![row] = 0;
        else values[c]!.push(null);
        continue;
      }
      const start = fieldStarts[first + at]!;
      const end = fieldEnds[first + at]!;
      if (!fieldsFit && end - start > this.maxFieldBytes) return this.undo(this.tooLong(c));
      if (this.spanColumn[c]) {
        const isNull = this.markers[c]!.length > 0 && isMarker(chunk.bytes, start, end, this.markers[c]!);
        if (isNull && this.required[c]) return this.undo(this.requiredButNull(c, chunk.field(r, at)));
        this.starts[c]![row] = isNull ? -1 : start;
        this.ends[c]![row] = end;
        continue;
      }
      const reader = this.readers[c];
      if (reader !== undefined && this.numberColumn[c]) {
        const read = readPlain(reader, chunk.bytes, start, end, this.numbers[c]!, row);
        if (read === VALUE_READ) {
          this.present[c]![row] = 1;
          continue;
        }
        if (read === FIELD_EMPTY) {
          if (this.required[c]) return this.undo(this.requiredButNull(c, ''));
          this.present[c]![row] = 0;
          continue;
        }
      } else if (reader !== undefined) {
        // A column kept in an array (it met a bigint) still reads plain forms, off the numbers' path.
        const read = this.readPlainOnto(values[c]!, reader, chunk.bytes, start, end);
        if (read === VALUE_READ) continue;
        if (read === FIELD_EMPTY) {
          if (this.required[c]) return this.undo(this.requiredButNull(c, ''));
          values[c]!.push(null);
          continue;
        }
      }
      const raw = chunk.field(r, at);
      let value = this.parsers[c]!(raw);
      // Typed fields are read on byte text, where a non-ASCII space would not be trimmed as one.
      if (value instanceof BadValue && NON_ASCII.test(raw)) value = this.parsers[c]!(textOf(raw));
      if (value instanceof BadValue) {
        if (!this.rescueBadValues || this.required[c]) return this.undo(this.badValue(c, raw, value));
        rescued ??= {};
        rescued[this.names[c]!] = textOf(raw);
        value = null;
      }
      if (value === null && this.required[c]) return this.undo(this.requiredButNull(c, raw));
      if (this.numberColumn[c] && typeof value !== 'bigint') {
        this.present[c]![row] = value === null ? 0 : 1;
        if (value !== null) this.numbers[c]![row] = Number(value);
        continue;
      }
      (this.numberColumn[c] ? this.keepInArray(c) : values[c]!).push(value);
    }
    if (this.rescuedExtras.length) {
      const extras = this.rescueExtras(chunk, r, rescued, fieldsFit);
      if (typeof extras === 'string') return this.undo(extras);
      rescued = extras;
    }
    if (this.rescueColumn) values[sourceIndex.length]!.push(rescued ? this.noteRescued(rescued) : null);
    this.rows++;
    return undefined;
  }

  /** Takes back the values a bad record added to the block (its spans lie past the block's rows). */
  private undo(reason: string): string {
    for (const column of this.values) if (column.length > this.rows) column.length = this.rows;
    return reason;
  }

  /** The reason a row is bad for one value: the column, the value and, when known, why. */
  private badValue(c: number, raw: string, bad: BadValue): string {
    const why = bad.reason ? `: ${bad.reason}` : '';
    return `field ${this.names[c]}: cannot read "${truncate(textOf(raw))}" as ${this.typeNames[c]}${why}`;
  }

  private requiredButNull(c: number, raw: string): string {
    if (raw.trim() === '') return `field ${this.names[c]} is required but empty`;
    return `field ${this.names[c]} is required but "${truncate(textOf(raw))}" is a NULL marker`;
  }

  /** Adds the non-empty values of unexpected columns to a row's rescued values, or says why it cannot. */
  private rescueExtras(
    chunk: CsvChunk,
    r: number,
    rescued: Record<string, string> | undefined,
    fieldsFit: boolean,
  ): Record<string, string> | undefined | string {
    const { extra } = this.mapping;
    for (let k = 0; k < this.rescuedExtras.length; k++) {
      const raw = chunk.field(r, this.rescuedExtras[k]!);
      if (raw === '') continue;
      if (!fieldsFit && raw.length > this.maxFieldBytes)
        return `field ${extra[k]} is longer than ${this.maxFieldBytes} bytes`;
      rescued ??= {};
      rescued[extra[k]!] = textOf(raw);
    }
    return rescued;
  }

  /** Counts a kept row's rescued values and gives their JSON as byte text, as bronze strings are. */
  private noteRescued(rescued: Record<string, string>): string {
    for (const name in rescued) this.rescuedCounts.set(name, (this.rescuedCounts.get(name) ?? 0) + 1);
    return byteTextOf(JSON.stringify(rescued));
  }

  private tooLong(c: number): string {
    return `field ${this.names[c]} is longer than ${this.maxFieldBytes} bytes`;
  }
}

/** True when bytes[start, end) is one of the markers (byte text). */
function isMarker(bytes: Uint8Array, start: number, end: number, markers: readonly string[]): boolean {
  next: for (const marker of markers) {
    if (marker.length !== end - start) continue;
    for (let i = 0; i < marker.length; i++) if (marker.charCodeAt(i) !== bytes[start + i]) continue next;
    return true;
  }
  return false;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
