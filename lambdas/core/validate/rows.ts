import type { Contract } from '../contract.js';
import { byteTextOf, textOf } from '../csv/decode.js';
import { schemaEvolutionOf, usesRescue } from '../schema-evolution.js';
import type { HeaderMapping } from './header.js';
import { BadValue, columnParser, type FieldParser, nullMarkersOf, typeLabel } from './values.js';

const NON_ASCII = /[\x80-\uffff]/;

/**
 * Converts records of byte text (see utf8ByteText) into column-major values for bronze, checking field count, limits,
 * types and required values. A bad record leaves the columns untouched. Under the contract's
 * schema evolution, columns the file lacks are NULL, and bad values (`bad_values: rescue`, in
 * nullable columns) and unexpected columns (`unexpected_columns: rescue`) go to one more column,
 * `_rescued_data`, as a JSON object of column name to raw text.
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
  /** Bronze has `_rescued_data`, the column after the contract's. */
  private readonly rescueColumn: boolean;
  private readonly rescueBadValues: boolean;
  /** Source indexes of unexpected columns whose values are rescued. */
  private readonly rescuedExtras: readonly number[];
  private readonly rescuedCounts = new Map<string, number>();

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
    const evolution = schemaEvolutionOf(contract);
    this.rescueColumn = usesRescue(contract);
    this.rescueBadValues = evolution.badValues === 'rescue';
    this.rescuedExtras = evolution.unexpectedColumns === 'rescue' ? mapping.extraIndex : [];
    this.verbatim =
      contract.columns.every((c) => c.type === 'string' && nullMarkersOf(c, contract).length === 0) &&
      !this.rescueColumn &&
      mapping.missing.length === 0;
  }

  /** Values rescued so far (of rows that were kept), by column name. */
  rescuedValues(): Record<string, number> {
    return Object.fromEntries(this.rescuedCounts);
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
    let rescued: Record<string, string> | undefined;
    for (let c = 0; c < sourceIndex.length; c++) {
      const at = sourceIndex[c]!;
      if (at < 0) {
        scratch[c] = null;
        continue;
      }
      const raw = record[at]!;
      if (!fieldsFit && raw.length > this.maxFieldBytes) return this.tooLong(c);
      let value = this.parsers[c]!(raw);
      // Typed fields are read on byte text, where a non-ASCII space would not be trimmed as one.
      if (value instanceof BadValue && NON_ASCII.test(raw)) value = this.parsers[c]!(textOf(raw));
      if (value instanceof BadValue) {
        if (!this.rescueBadValues || this.required[c]) return this.badValue(c, raw, value);
        rescued ??= {};
        rescued[this.names[c]!] = textOf(raw);
        value = null;
      }
      if (value === null && this.required[c]) return this.requiredButNull(c, raw);
      scratch[c] = value;
    }
    if (this.rescuedExtras.length) {
      const extras = this.rescueExtras(record, rescued, fieldsFit);
      if (typeof extras === 'string') return extras;
      rescued = extras;
    }
    for (let c = 0; c < scratch.length; c++) columns[c]!.push(scratch[c]);
    if (this.rescueColumn) columns[scratch.length]!.push(rescued ? this.noteRescued(rescued) : null);
    return undefined;
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
    record: readonly string[],
    rescued: Record<string, string> | undefined,
    fieldsFit: boolean,
  ): Record<string, string> | undefined | string {
    const { extra } = this.mapping;
    for (let k = 0; k < this.rescuedExtras.length; k++) {
      const raw = record[this.rescuedExtras[k]!]!;
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

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
