import type { Contract } from '../contract.js';
import { textOf } from '../csv/decode.js';
import type { HeaderMapping } from './header.js';
import { BadValue, columnParser, type FieldParser, nullMarkersOf, typeLabel } from './values.js';

const NON_ASCII = /[\x80-\uffff]/;

/**
 * Converts records of byte text (see utf8ByteText) into column-major values for bronze, checking field count, limits,
 * types and required values. A bad record leaves the columns untouched.
 */
export class RowConverter {
  private readonly parsers: FieldParser[];
  private readonly names: string[];
  private readonly typeNames: string[];
  private readonly required: boolean[];
  private readonly maxFieldBytes: number;
  private readonly scratch: unknown[];
  /** Every column is a string kept exactly as read (no conversion, never null). */
  private readonly verbatim: boolean;

  constructor(
    contract: Contract,
    private readonly mapping: HeaderMapping,
  ) {
    this.parsers = contract.columns.map((c) => columnParser(c, contract));
    this.names = contract.columns.map((c) => c.name);
    this.typeNames = contract.columns.map(typeLabel);
    this.required = contract.columns.map((c) => !c.nullable);
    this.maxFieldBytes = contract.limits.max_field_bytes;
    this.scratch = new Array(contract.columns.length);
    this.verbatim = contract.columns.every(
      (c) => c.type === 'string' && nullMarkersOf(c, contract).length === 0,
    );
  }

  /**
   * Appends the record's values to `columns`, or returns why the record is bad. `fieldsFit` says
   * the caller knows no field can pass max_field_bytes (the record came from a shorter text).
   */
  append(record: readonly string[], columns: unknown[][], fieldsFit = false): string | undefined {
    if (record.length !== this.mapping.fieldCount) {
      return `has ${record.length} fields, expected ${this.mapping.fieldCount}`;
    }
    const { sourceIndex } = this.mapping;
    if (this.verbatim) {
      // Every column is a string kept as it is: only a field's length can make the record bad.
      if (!fieldsFit) {
        for (let c = 0; c < sourceIndex.length; c++) {
          if (record[sourceIndex[c]!]!.length > this.maxFieldBytes) return this.tooLong(c);
        }
      }
      for (let c = 0; c < sourceIndex.length; c++) columns[c]!.push(record[sourceIndex[c]!]!);
      return undefined;
    }
    const scratch = this.scratch;
    for (let c = 0; c < sourceIndex.length; c++) {
      const raw = record[sourceIndex[c]!]!;
      if (!fieldsFit && raw.length > this.maxFieldBytes) return this.tooLong(c);
      let value = this.parsers[c]!(raw);
      // Typed fields are read on byte text, where a non-ASCII space would not be trimmed as one.
      if (value instanceof BadValue && NON_ASCII.test(raw)) value = this.parsers[c]!(textOf(raw));
      if (value instanceof BadValue) return this.badValue(c, raw, value);
      if (value === null && this.required[c]) return `field ${this.names[c]} is required but empty`;
      scratch[c] = value;
    }
    for (let c = 0; c < scratch.length; c++) columns[c]!.push(scratch[c]);
    return undefined;
  }

  /** The reason a row is bad for one value: the column, the value and, when known, why. */
  private badValue(c: number, raw: string, bad: BadValue): string {
    const why = bad.reason ? `: ${bad.reason}` : '';
    return `field ${this.names[c]}: cannot read "${truncate(textOf(raw))}" as ${this.typeNames[c]}${why}`;
  }

  private tooLong(c: number): string {
    return `field ${this.names[c]} is longer than ${this.maxFieldBytes} bytes`;
  }
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
