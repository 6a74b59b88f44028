/**
 * One parser per contract column: field text (byte text, see utf8Chunks) to the value bronze
 * stores, null, or a BadValue saying why the text is not of the column's type. Each type is
 * read by hand; the contract's options (format, zone, spellings, NULL markers) are resolved once
 * when the parser is made, not per value.
 */
import type { ColumnSpec, Contract } from '../contract.js';
import { byteTextOf } from '../csv/decode.js';
import {
  compileDateTimeFormat,
  type DateTimeFields,
  daysFromCivil,
  type FormatStep,
  impossibleDateTime,
  readPattern,
} from './datetime-format.js';
import { DecimalProblem, parseDecimal } from './decimal.js';
import { BAD_TIMESTAMP, parseIsoTimestamp } from './timestamp.js';
import { type WallToUtc, wallToUtc } from './timezone.js';

/** Why a field's text is not a value of its column; a parser's only failure result. */
export class BadValue {
  constructor(readonly reason?: string) {}
}

/** A field that does not parse, with no more to say than "cannot read it as the type". */
export const INVALID = new BadValue();

/** Reads one field: the typed value, null, or a BadValue. */
export type FieldParser = (raw: string) => unknown;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^[+-]?\d{1,19}$/;
const NAIVE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const DEFAULT_TRUE = ['true', 't', 'yes', 'y', '1'];
const DEFAULT_FALSE = ['false', 'f', 'no', 'n', '0'];
const MICROS_PER_SECOND = 1_000_000;
// Seconds within which seconds * 1e6 + micros stays a safe integer.
const SAFE_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / MICROS_PER_SECOND) - 1;

/** The type as a person reads it in an error: `decimal(12,2)`, `date (dd/MM/yyyy)`. */
export function typeLabel(column: ColumnSpec): string {
  if (column.type === 'decimal') return `decimal(${column.precision},${column.scale})`;
  if (column.format && (column.type === 'date' || column.type === 'timestamp'))
    return `${column.type} (${column.format})`;
  return column.type;
}

/**
 * The NULL markers of a column, as byte text. Typed columns read an empty field as NULL whatever
 * the markers (as they always have); string columns only what the markers or
 * `bronze.empty_string_as_null` say.
 */
export function nullMarkersOf(column: ColumnSpec, contract: Contract): string[] {
  const markers =
    column.null_values ?? contract.null_values ?? (contract.bronze.empty_string_as_null ? [''] : []);
  return markers.map(byteTextOf);
}

/** The parser of one contract column, NULL markers included. */
export function columnParser(column: ColumnSpec, contract: Contract): FieldParser {
  const markers = nullMarkersOf(column, contract);
  if (column.type === 'string') {
    if (markers.length === 0) return (raw) => raw;
    if (markers.length === 1) {
      const marker = markers[0]!;
      return (raw) => (raw === marker ? null : raw);
    }
    const set = new Set(markers);
    return (raw) => (set.has(raw) ? null : raw);
  }
  const parse = typedParser(column);
  const typedMarkers = markers.filter((m) => m.trim() !== '').map((m) => m.trim());
  if (typedMarkers.length === 0) return parse;
  const set = new Set(typedMarkers);
  const longest = Math.max(...typedMarkers.map((m) => m.length));
  // A field that is exactly a marker is NULL even if it would parse ("0" as a marker); one padded
  // with spaces is looked up only when it does not parse, so most values cost no lookup.
  return (raw) => {
    if (raw.length <= longest && set.has(raw)) return null;
    const v = parse(raw);
    return v instanceof BadValue && set.has(raw.trim()) ? null : v;
  };
}

/** The parser of a non-string column; empty (after trimming) is null. */
function typedParser(column: ColumnSpec): FieldParser {
  switch (column.type) {
    case 'int32':
      return parseInt32;
    case 'int64':
      return parseInt64;
    case 'double':
      return parseDouble;
    case 'decimal':
      return decimalParser(column.precision ?? 38, column.scale ?? 0);
    case 'boolean':
      return booleanParser(column);
    case 'date':
      return dateParser(column.format);
    case 'timestamp':
      return timestampParser(column.format, wallToUtc(column.timezone ?? 'UTC'));
    default:
      return (raw) => raw;
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

/** Up to 15 digits read as an exact number; undefined when longer or not digits. */
function smallInteger(s: string): number | undefined {
  const n = s.length;
  const sign = s.charCodeAt(0);
  const start = sign === 45 || sign === 43 ? 1 : 0;
  if (n - start > 15 || n === start) return undefined;
  let v = 0;
  for (let i = start; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return sign === 45 && v !== 0 ? -v : v;
}

const INT32_RANGE = new BadValue('is out of the int32 range');

/** int32: a number in [-2^31, 2^31). */
function parseInt32(raw: string): unknown {
  const s = raw.trim();
  if (s.length === 0) return null;
  const v = smallInteger(s);
  if (v === undefined) return INTEGER.test(s) ? INT32_RANGE : INVALID;
  return v < -2147483648 || v > 2147483647 ? INT32_RANGE : v;
}

/**
 * int64: up to 15 digits are read as an exact number (no bigint to allocate; the encoder takes
 * either), longer ones as a bigint checked against the int64 range.
 */
function parseInt64(raw: string): unknown {
  const s = raw.trim();
  if (s.length === 0) return null;
  const v = smallInteger(s);
  if (v !== undefined) return v;
  if (!INTEGER.test(s)) return INVALID;
  const big = BigInt(s);
  return big < INT64_MIN || big > INT64_MAX ? new BadValue('is out of the int64 range') : big;
}

/** decimal(p,s): the unscaled integer (see parseDecimal), never rounded. */
function decimalParser(precision: number, scale: number): FieldParser {
  return (raw) => {
    const s = raw.trim();
    if (s.length === 0) return null;
    const v = parseDecimal(s, precision, scale);
    return v instanceof DecimalProblem ? new BadValue(v.reason) : v;
  };
}

/** boolean: the column's spellings (default true/t/yes/y/1 and false/f/no/n/0), case-insensitive unless told. */
function booleanParser(column: ColumnSpec): FieldParser {
  const caseSensitive = column.case_sensitive ?? false;
  const fold = (v: string) => (caseSensitive ? v : v.toLowerCase());
  const values = new Map<string, boolean>();
  for (const v of column.true_values ?? DEFAULT_TRUE) values.set(fold(byteTextOf(v)), true);
  for (const v of column.false_values ?? DEFAULT_FALSE) values.set(fold(byteTextOf(v)), false);
  return (raw) => {
    const s = raw.trim();
    if (s === '') return null;
    const v = values.get(caseSensitive ? s : s.toLowerCase());
    return v === undefined ? INVALID : v;
  };
}

/** date: days since 1970-01-01; `yyyy-MM-dd` unless the column has a format. */
function dateParser(format: string | undefined): FieldParser {
  const compiled = compileDateTimeFormat(format ?? 'yyyy-MM-dd', 'date');
  if (compiled.kind !== 'pattern') throw new Error(`date format ${format} has no pattern`);
  const fields = newFields();
  return (raw) => {
    const s = raw.trim();
    if (s === '') return null;
    const problem = readPattern(s, compiled.steps, fields) ?? impossibleDateTime(fields);
    if (problem) return new BadValue(problem);
    return daysFromCivil(fields.year, fields.month, fields.day);
  };
}

/**
 * timestamp: microseconds since the epoch (a number while safe, else a bigint). Without a format,
 * ISO 8601 read by hand, then what Date.parse reads; a time without an offset is in `toUtc`'s zone.
 */
function timestampParser(format: string | undefined, toUtc: WallToUtc): FieldParser {
  if (format === undefined) return isoTimestampParser(toUtc);
  const compiled = compileDateTimeFormat(format, 'timestamp');
  if (compiled.kind !== 'pattern') return epochParser(compiled.kind);
  return patternTimestampParser(compiled.steps, toUtc);
}

function isoTimestampParser(toUtc: WallToUtc): FieldParser {
  return (raw) => {
    const s = raw.trim();
    if (s === '') return null;
    const iso = parseIsoTimestamp(s, toUtc);
    if (iso === BAD_TIMESTAMP) return INVALID;
    if (iso !== undefined) return iso;
    // Other forms Date.parse reads; without a zone they are wall-clock time in the column's zone.
    if (NAIVE_TIMESTAMP.test(s)) {
      const wall = Date.parse(`${s.replace(' ', 'T')}Z`);
      if (Number.isNaN(wall)) return INVALID;
      const seconds = Math.floor(wall / 1000);
      return micros(toUtc(seconds), (wall - seconds * 1000) * 1000);
    }
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) return INVALID;
    return Number.isSafeInteger(ms * 1000) ? ms * 1000 : BigInt(ms) * 1000n;
  };
}

function patternTimestampParser(steps: readonly FormatStep[], toUtc: WallToUtc): FieldParser {
  const fields = newFields();
  return (raw) => {
    const s = raw.trim();
    if (s === '') return null;
    const problem = readPattern(s, steps, fields) ?? impossibleDateTime(fields);
    if (problem) return new BadValue(problem);
    const wall =
      daysFromCivil(fields.year, fields.month, fields.day) * 86_400 +
      fields.hour * 3600 +
      fields.minute * 60 +
      fields.second;
    const seconds = Number.isNaN(fields.offsetSeconds) ? toUtc(wall) : wall - fields.offsetSeconds;
    return micros(seconds, fields.micros);
  };
}

/**
 * Seconds or milliseconds since the epoch, with a sign and a fraction down to the microsecond:
 * read as a decimal of 6 (seconds) or 3 (milliseconds) places, whose unscaled value is microseconds.
 */
function epochParser(kind: 'epoch_seconds' | 'epoch_millis'): FieldParser {
  const places = kind === 'epoch_seconds' ? 6 : 3;
  return (raw) => {
    const s = raw.trim();
    if (s === '') return null;
    for (let i = 0; i < s.length; i++) if ((s.charCodeAt(i) | 0x20) === 101) return INVALID;
    const v = parseDecimal(s, 18, places);
    return v instanceof DecimalProblem ? new BadValue(v.reason) : v;
  };
}

/** Epoch microseconds of whole seconds and micros: a number while safe, else a bigint. */
function micros(seconds: number, us: number): number | bigint {
  if (Math.abs(seconds) <= SAFE_SECONDS) return seconds * MICROS_PER_SECOND + us;
  return BigInt(seconds) * BigInt(MICROS_PER_SECOND) + BigInt(us);
}

function newFields(): DateTimeFields {
  return { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, micros: 0, offsetSeconds: Number.NaN };
}
