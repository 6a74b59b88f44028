import type { ColumnSpec, Contract } from '../contract.js';
import { byteTextOf, textOf } from '../csv/decode.js';
import { schemaEvolutionOf, usesRescue } from '../schema-evolution.js';
import type { HeaderMapping } from './header.js';
import { BAD_TIMESTAMP, parseIsoTimestamp } from './timestamp.js';

/** Parses one field; returns the typed value, null, or a problem string. */
type FieldParser = (raw: string) => unknown;

/** Marks a field that cannot be converted; distinct from any value a parser returns. */
export const INVALID = Symbol('invalid');

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^[+-]?\d{1,19}$/;
const NAIVE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);
const NON_ASCII = /[\x80-\uffff]/;

function parserFor(column: ColumnSpec, emptyAsNull: boolean): FieldParser {
  switch (column.type) {
    case 'string':
      return emptyAsNull ? (raw) => (raw === '' ? null : raw) : (raw) => raw;
    case 'int64':
      return parseInt64;
    case 'double':
      return parseDouble;
    case 'boolean':
      return (raw) => {
        const s = raw.trim().toLowerCase();
        if (s === '') return null;
        if (TRUE.has(s)) return true;
        return FALSE.has(s) ? false : INVALID;
      };
    case 'timestamp':
      return (raw) => {
        const s = raw.trim();
        if (s === '') return null;
        const iso = parseIsoTimestamp(s);
        if (iso === BAD_TIMESTAMP) return INVALID;
        if (iso !== undefined) return iso;
        // Other forms Date.parse reads; without a zone they are UTC, whatever the machine's zone.
        const ms = Date.parse(NAIVE_TIMESTAMP.test(s) ? `${s.replace(' ', 'T')}Z` : s);
        if (Number.isNaN(ms)) return INVALID;
        return Number.isSafeInteger(ms * 1000) ? ms * 1000 : BigInt(ms) * 1000n;
      };
  }
}

// Powers of ten that are exact doubles.
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * double: a plain decimal of up to 15 digits (the usual CSV number) is an exact integer divided by
 * an exact power of ten, which one IEEE division rounds correctly: the same double Number() gives.
 * Anything else (exponents, more digits, Infinity) goes to Number().
 */
export function parseDouble(raw: string): unknown {
  const s = raw.trim();
  const n = s.length;
  if (n === 0) return null;
  const sign = s.charCodeAt(0);
  let i = sign === 45 || sign === 43 ? 1 : 0;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && fraction < 0) {
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || digits === 15) return viaNumber(s);
    mantissa = mantissa * 10 + d;
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0) return INVALID;
  const v = fraction > 0 ? mantissa / EXACT_POWERS_OF_TEN[fraction]! : mantissa;
  return sign === 45 ? -v : v;
}

function viaNumber(s: string): unknown {
  const v = Number(s);
  if (!Number.isFinite(v)) return INVALID;
  // Number() also reads 0x, 0o and 0b literals, which are not decimal numbers.
  const radix = s.length > 2 && s.charCodeAt(0) === 48 ? s.charCodeAt(1) | 0x20 : 0;
  return radix === 0x78 || radix === 0x6f || radix === 0x62 ? INVALID : v;
}

/**
 * int64: up to 15 digits are read as an exact number (no bigint to allocate; the encoder takes
 * either), longer ones as a bigint checked against the int64 range.
 */
function parseInt64(raw: string): unknown {
  const s = raw.trim();
  const n = s.length;
  if (n === 0) return null;
  const sign = s.charCodeAt(0);
  const start = sign === 45 || sign === 43 ? 1 : 0;
  if (n - start > 15 || n === start) {
    if (!INTEGER.test(s)) return INVALID;
    const v = BigInt(s);
    return v < INT64_MIN || v > INT64_MAX ? INVALID : v;
  }
  let v = 0;
  for (let i = start; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return INVALID;
    v = v * 10 + d;
  }
  return sign === 45 && v !== 0 ? -v : v;
}

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
    this.parsers = contract.columns.map((c) => parserFor(c, contract.bronze.empty_string_as_null));
    this.names = contract.columns.map((c) => c.name);
    this.typeNames = contract.columns.map((c) => c.type);
    this.required = contract.columns.map((c) => !c.nullable);
    this.maxFieldBytes = contract.limits.max_field_bytes;
    this.scratch = new Array(contract.columns.length);
    const evolution = schemaEvolutionOf(contract);
    this.rescueColumn = usesRescue(contract);
    this.rescueBadValues = evolution.badValues === 'rescue';
    this.rescuedExtras = evolution.unexpectedColumns === 'rescue' ? mapping.extraIndex : [];
    this.verbatim =
      !contract.bronze.empty_string_as_null &&
      contract.columns.every((c) => c.type === 'string') &&
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
      if (value === INVALID && NON_ASCII.test(raw)) value = this.parsers[c]!(textOf(raw));
      if (value === INVALID) {
        if (!this.rescueBadValues || this.required[c])
          return `field ${this.names[c]}: cannot read "${truncate(textOf(raw))}" as ${this.typeNames[c]}`;
        rescued ??= {};
        rescued[this.names[c]!] = textOf(raw);
        value = null;
      }
      if (value === null && this.required[c]) return `field ${this.names[c]} is required but empty`;
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
