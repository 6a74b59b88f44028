/**
 * Readers of the plain forms typed CSV fields usually take, straight from the file's bytes: a
 * field in such a form becomes its value with no string made for it. Each reader accepts a strict
 * subset of what its column's parser (values.ts) reads, gives the same value for it, and answers
 * NOT_PLAIN for anything else (spaces to trim, exponents, other spellings, bad values), which
 * then goes to that parser: so every error message, and every lenient form, stays the parser's.
 *
 * A value is written into a Float64Array (a boolean as 1 or 0) and the reader returns what it
 * found as a small integer: a number returned from a call that is not inlined would be boxed,
 * one allocation per timestamp or large decimal.
 */
import type { ColumnSpec, Contract } from '../contract.js';
import { daysFromCivil, daysInMonth } from './datetime-format.js';
import { type WallToUtc, wallToUtc } from './timezone.js';
import { nullMarkersOf } from './values.js';

/** What readPlain found: a value, now in out[at]. */
export const VALUE_READ = 0;
/** An empty field, which is null (as the parsers read it). */
export const FIELD_EMPTY = 1;
/** The field is not in the plain form: the column's parser reads it. */
export const NOT_PLAIN = 2;

const MICROS_PER_SECOND = 1_000_000;
const MINUS = 45;
const DOT = 46;
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * How a column's plain forms are read: a kind and its settings, dispatched by readPlain with a
 * switch rather than a function per column, so that each call site sees one target (a call
 * through a per-column function pointer meets five and is not inlined).
 */
export interface PlainReader {
  readonly kind: 'integer' | 'decimal' | 'date' | 'timestamp' | 'boolean';
  /** decimal: the scale, and the most integer digits read here. */
  readonly scale: number;
  readonly maxIntDigits: number;
  /** timestamp: the column's zone, for times without a `Z`. */
  readonly toUtc: WallToUtc;
}

const UTC: WallToUtc = (seconds) => seconds;

/**
 * The plain-form reader of a typed column, or undefined when the column has none: string
 * columns (kept as bytes), columns with NULL markers (a marker may look like a value), and
 * options the plain forms do not cover (formats, custom boolean spellings).
 */
export function plainReaderOf(column: ColumnSpec, contract: Contract): PlainReader | undefined {
  if (nullMarkersOf(column, contract).some((m) => m.trim() !== '')) return undefined;
  const reader = (kind: PlainReader['kind'], settings: Partial<PlainReader> = {}): PlainReader => ({
    kind,
    scale: 0,
    maxIntDigits: 0,
    toUtc: UTC,
    ...settings,
  });
  switch (column.type) {
    case 'int32':
    case 'int64':
      return reader('integer');
    case 'decimal': {
      const precision = column.precision ?? 38;
      const scale = column.scale ?? 0;
      return reader('decimal', { scale, maxIntDigits: Math.min(precision - scale, 15) });
    }
    case 'date':
      return column.format === undefined ? reader('date') : undefined;
    case 'timestamp':
      return column.format === undefined
        ? reader('timestamp', { toUtc: wallToUtc(column.timezone ?? 'UTC') })
        : undefined;
    case 'boolean':
      return column.true_values || column.false_values || column.case_sensitive
        ? undefined
        : reader('boolean');
    default:
      return undefined;
  }
}

/**
 * Reads bytes[start, end) in its column's plain form into out[at]: VALUE_READ, FIELD_EMPTY
 * (out[at] is left as it was) or NOT_PLAIN.
 */
export function readPlain(
  reader: PlainReader,
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Float64Array,
  at: number,
): number {
  if (start === end) return FIELD_EMPTY;
  switch (reader.kind) {
    case 'integer':
      return readInteger(bytes, start, end, out, at);
    case 'decimal':
      return readDecimal(bytes, start, end, reader.scale, reader.maxIntDigits, out, at);
    case 'date':
      return readDate(bytes, start, end, out, at);
    case 'timestamp':
      return readTimestamp(bytes, start, end, reader.toUtc, out, at);
    case 'boolean':
      return readBoolean(bytes, start, end, out, at);
  }
}

/** Digits of bytes[start, end) as a number; -1 when any is not a digit. At most 15 digits. */
function digitsAt(bytes: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** int32 and int64: an optional minus and 1 to 9 digits (within int32, so both columns take it). */
function readInteger(bytes: Uint8Array, start: number, end: number, out: Float64Array, at: number): number {
  const negative = bytes[start] === MINUS;
  const from = negative ? start + 1 : start;
  if (end - from < 1 || end - from > 9) return NOT_PLAIN;
  const v = digitsAt(bytes, from, end);
  if (v < 0) return NOT_PLAIN;
  out[at] = negative && v !== 0 ? -v : v;
  return VALUE_READ;
}

/**
 * decimal(p,s): an optional minus, digits, and a point with at most `scale` digits after it,
 * within the precision and 15 digits in all: the unscaled integer, as parseDecimal gives it.
 */
function readDecimal(
  bytes: Uint8Array,
  start: number,
  end: number,
  scale: number,
  maxInt: number,
  out: Float64Array,
  at: number,
): number {
  const negative = bytes[start] === MINUS;
  const from = negative ? start + 1 : start;
  let point = end;
  for (let i = from; i < end; i++) {
    if (bytes[i] === DOT) {
      point = i;
      break;
    }
  }
  const intDigits = point - from;
  const fracDigits = point === end ? 0 : end - point - 1;
  if (intDigits < 1 || intDigits > maxInt || fracDigits > scale || intDigits + scale > 15) return NOT_PLAIN;
  if (point !== end && fracDigits === 0) return NOT_PLAIN;
  const whole = digitsAt(bytes, from, point);
  const fraction = fracDigits === 0 ? 0 : digitsAt(bytes, point + 1, end);
  if (whole < 0 || fraction < 0) return NOT_PLAIN;
  // Leading zeros count as integer digits here but not for parseDecimal's precision check:
  // the value is the same, and within maxInt digits either way.
  const v = whole * POWERS_OF_TEN[scale]! + fraction * POWERS_OF_TEN[scale - fracDigits]!;
  out[at] = negative && v !== 0 ? -v : v;
  return VALUE_READ;
}

/** Two digits at `p`, or -1. */
function two(bytes: Uint8Array, p: number): number {
  const a = bytes[p]! - 48;
  const b = bytes[p + 1]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days since 1970-01-01 of `yyyy-MM-dd` at `p`, or NaN when the bytes are not a calendar date. */
function daysAt(bytes: Uint8Array, p: number): number {
  if (bytes[p + 4] !== MINUS || bytes[p + 7] !== MINUS) return Number.NaN;
  const y1 = two(bytes, p);
  const y2 = two(bytes, p + 2);
  const month = two(bytes, p + 5);
  const day = two(bytes, p + 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1) return Number.NaN;
  const year = y1 * 100 + y2;
  if (day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

/** date: exactly `yyyy-MM-dd`, a calendar date. */
function readDate(bytes: Uint8Array, start: number, end: number, out: Float64Array, at: number): number {
  if (end - start !== 10) return NOT_PLAIN;
  const days = daysAt(bytes, start);
  if (Number.isNaN(days)) return NOT_PLAIN;
  out[at] = days;
  return VALUE_READ;
}

/**
 * timestamp (ISO, no format): `yyyy-MM-dd`, a `T` or a space, `HH:mm:ss`, up to six digits of a
 * fraction, and an optional `Z`; without it the time is wall-clock time in the column's zone.
 * The result is epoch microseconds, as parseIsoTimestamp gives them.
 */
function readTimestamp(
  bytes: Uint8Array,
  start: number,
  end: number,
  toUtc: WallToUtc,
  out: Float64Array,
  at: number,
): number {
  const n = end - start;
  if (n < 19) return NOT_PLAIN;
  const days = daysAt(bytes, start);
  const sep = bytes[start + 10];
  if (Number.isNaN(days) || (sep !== 84 && sep !== 32)) return NOT_PLAIN;
  if (bytes[start + 13] !== 58 || bytes[start + 16] !== 58) return NOT_PLAIN;
  const hour = two(bytes, start + 11);
  const minute = two(bytes, start + 14);
  const second = two(bytes, start + 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NOT_PLAIN;
  let p = start + 19;
  let micros = 0;
  if (p < end && bytes[p] === DOT) {
    const digits = (bytes[end - 1] === 90 ? end - 1 : end) - p - 1;
    if (digits < 1 || digits > 6) return NOT_PLAIN;
    const fraction = digitsAt(bytes, p + 1, p + 1 + digits);
    if (fraction < 0) return NOT_PLAIN;
    micros = fraction * POWERS_OF_TEN[6 - digits]!;
    p += 1 + digits;
  }
  const zoned = p < end && bytes[p] === 90;
  if (zoned) p++;
  if (p !== end) return NOT_PLAIN;
  const wall = days * 86_400 + hour * 3600 + minute * 60 + second;
  const seconds = zoned ? wall : toUtc(wall);
  const v = seconds * MICROS_PER_SECOND + micros;
  if (!Number.isSafeInteger(v)) return NOT_PLAIN;
  out[at] = v;
  return VALUE_READ;
}

/** boolean (default spellings): true, t, yes, y, 1, false, f, no, n, 0, in any case; 1 or 0. */
function readBoolean(bytes: Uint8Array, start: number, end: number, out: Float64Array, at: number): number {
  const v = booleanAt(bytes, start, end - start);
  if (v < 0) return NOT_PLAIN;
  out[at] = v;
  return VALUE_READ;
}

/**
 * 1 (true), 0 (false) or -1 (not a default spelling). Letters are folded to lower case by setting
 * bit 5, which maps exactly one other byte to each lower case letter: its capital.
 */
function booleanAt(bytes: Uint8Array, start: number, n: number): number {
  const a = bytes[start]!;
  const first = a | 0x20;
  switch (n) {
    case 1:
      if (a === 0x31 || first === 0x74 || first === 0x79) return 1; // 1 t y
      if (a === 0x30 || first === 0x66 || first === 0x6e) return 0; // 0 f n
      return -1;
    case 2:
      return first === 0x6e && (bytes[start + 1]! | 0x20) === 0x6f ? 0 : -1; // no
    case 3:
      return first === 0x79 && lower(bytes, start + 1, 0x65, 0x73) ? 1 : -1; // yes
    case 4:
      return first === 0x74 && (bytes[start + 1]! | 0x20) === 0x72 && lower(bytes, start + 2, 0x75, 0x65)
        ? 1
        : -1; // true
    case 5:
      return first === 0x66 && lower(bytes, start + 1, 0x61, 0x6c) && lower(bytes, start + 3, 0x73, 0x65)
        ? 0
        : -1; // false
    default:
      return -1;
  }
}

/** Whether bytes p and p + 1 are the lower case letters x and y, in any case. */
function lower(bytes: Uint8Array, p: number, x: number, y: number): boolean {
  return (bytes[p]! | 0x20) === x && (bytes[p + 1]! | 0x20) === y;
}
