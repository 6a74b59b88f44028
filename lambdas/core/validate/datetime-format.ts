/**
 * Date and timestamp formats of the contract (`format`), compiled once into a list of steps that
 * a value is read through by hand: no regular expression and no Date.parse per value.
 *
 * Pattern letters: `yyyy` year (4 digits), `MM`/`M` month, `dd`/`d` day, `HH`/`H` hour (0-23),
 * `mm` minute, `ss` second, `S`.. a fraction of a second (1 to 9 digits read, microseconds kept),
 * `X`/`XX`/`XXX` a zone (`Z`, `±HH`, `±HHMM` or `±HH:MM`). A doubled letter is exactly two digits,
 * a single one one or two. Anything else that is not a letter is literal, as is text in single
 * quotes (`yyyy-MM-dd'T'HH:mm:ss`). `epoch_seconds` and `epoch_millis` read a number since the epoch.
 */

export type FieldName = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction' | 'zone';

export type FormatStep =
  | { readonly kind: 'literal'; readonly code: number }
  | { readonly kind: FieldName; readonly min: number; readonly max: number };

export type DateTimeFormat =
  | { readonly kind: 'epoch_seconds' | 'epoch_millis' }
  | { readonly kind: 'pattern'; readonly steps: readonly FormatStep[]; readonly hasZone: boolean };

/** The epoch formats, which need no pattern. */
export const EPOCH_FORMATS = ['epoch_seconds', 'epoch_millis'] as const;

const LETTERS: Readonly<Record<string, { field: FieldName; widths: Record<number, [number, number]> }>> = {
  y: { field: 'year', widths: { 4: [4, 4] } },
  M: { field: 'month', widths: { 1: [1, 2], 2: [2, 2] } },
  d: { field: 'day', widths: { 1: [1, 2], 2: [2, 2] } },
  H: { field: 'hour', widths: { 1: [1, 2], 2: [2, 2] } },
  m: { field: 'minute', widths: { 2: [2, 2] } },
  s: { field: 'second', widths: { 2: [2, 2] } },
  X: { field: 'zone', widths: { 1: [0, 0], 2: [0, 0], 3: [0, 0] } },
};

const TIME_FIELDS: readonly FieldName[] = ['hour', 'minute', 'second', 'fraction', 'zone'];

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** Compiles a `format` for a column of `type`; throws an Error whose message says what is wrong. */
export function compileDateTimeFormat(format: string, type: 'date' | 'timestamp'): DateTimeFormat {
  if (format === 'epoch_seconds' || format === 'epoch_millis') {
    if (type === 'date') throw new Error(`"${format}" is a timestamp format; a date needs a pattern`);
    return { kind: format };
  }
  const steps: FormatStep[] = [];
  const seen = new Set<FieldName>();
  for (let i = 0; i < format.length; ) {
    const c = format[i]!;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed quote at position ${i + 1}`);
      for (const q of format.slice(i + 1, end)) pushLiteral(steps, q);
      i = end + 1;
      continue;
    }
    if (!isLetter(c)) {
      pushLiteral(steps, c);
      i++;
      continue;
    }
    let n = 1;
    while (format[i + n] === c) n++;
    steps.push(fieldStep(c, n, i));
    const field = (steps[steps.length - 1] as { kind: FieldName }).kind;
    if (seen.has(field)) throw new Error(`"${c}" appears twice`);
    seen.add(field);
    i += n;
  }
  for (const need of ['year', 'month', 'day'] as const) {
    if (!seen.has(need)) throw new Error(`has no ${need} (yyyy, MM and dd are required)`);
  }
  if (type === 'date') {
    const time = TIME_FIELDS.find((f) => seen.has(f));
    if (time) throw new Error(`a date format has no ${time}`);
  }
  checkAdjacentWidths(steps);
  return { kind: 'pattern', steps, hasZone: seen.has('zone') };
}

function pushLiteral(steps: FormatStep[], c: string): void {
  const code = c.charCodeAt(0);
  if (code > 0x7f) throw new Error(`"${c}" is not ASCII`);
  steps.push({ kind: 'literal', code });
}

function fieldStep(c: string, n: number, at: number): FormatStep {
  if (c === 'S') {
    if (n > 9) throw new Error('a fraction has at most 9 digits (S to SSSSSSSSS)');
    return { kind: 'fraction', min: 1, max: 9 };
  }
  const letter = LETTERS[c];
  if (!letter)
    throw new Error(`unknown pattern letter "${c}" at position ${at + 1} (quote literal text: 'T')`);
  const width = letter.widths[n];
  if (!width) throw new Error(`"${c.repeat(n)}" is not a width "${c}" takes`);
  return { kind: letter.field, min: width[0], max: width[1] };
}

/** Two variable-width numbers side by side (`Md`) cannot be told apart. */
function checkAdjacentWidths(steps: readonly FormatStep[]): void {
  for (let i = 1; i < steps.length; i++) {
    const a = steps[i - 1]!;
    const b = steps[i]!;
    if (a.kind === 'literal' || b.kind === 'literal' || a.kind === 'zone' || b.kind === 'zone') continue;
    if (a.min !== a.max) throw new Error('a one-letter field (M, d, H) must be followed by a separator');
  }
}

/** The fields read from a value; -1 where the format has none. Reused between values. */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  /** Seconds east of UTC written in the value, or NaN when it has no zone. */
  offsetSeconds: number;
}

/** Why a value does not match; undefined when it does. */
export function readPattern(
  s: string,
  steps: readonly FormatStep[],
  out: DateTimeFields,
): string | undefined {
  out.hour = 0;
  out.minute = 0;
  out.second = 0;
  out.micros = 0;
  out.offsetSeconds = Number.NaN;
  const n = s.length;
  let p = 0;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    if (step.kind === 'literal') {
      if (s.charCodeAt(p) !== step.code) return 'does not match the format';
      p++;
      continue;
    }
    if (step.kind === 'zone') {
      const end = readZone(s, p, out);
      if (end < 0) return 'has no valid zone offset';
      p = end;
      continue;
    }
    let v = 0;
    let digits = 0;
    for (; digits < step.max && p < n; digits++, p++) {
      const d = s.charCodeAt(p) - 48;
      if (d < 0 || d > 9) break;
      if (step.kind !== 'fraction' || digits < 6) v = v * 10 + d;
    }
    if (digits < step.min) return 'does not match the format';
    switch (step.kind) {
      case 'year':
        out.year = v;
        break;
      case 'month':
        out.month = v;
        break;
      case 'day':
        out.day = v;
        break;
      case 'hour':
        out.hour = v;
        break;
      case 'minute':
        out.minute = v;
        break;
      case 'second':
        out.second = v;
        break;
      default:
        for (let j = digits; j < 6; j++) v *= 10;
        out.micros = v;
    }
  }
  return p === n ? undefined : 'does not match the format';
}

/** Reads `Z`, `±HH`, `±HHMM` or `±HH:MM` at p into out.offsetSeconds; the end, or -1. */
function readZone(s: string, p: number, out: DateTimeFields): number {
  const c = s.charCodeAt(p);
  if (c === 90 || c === 122) {
    out.offsetSeconds = 0;
    return p + 1;
  }
  if (c !== 43 && c !== 45) return -1;
  const hours = twoDigits(s, p + 1);
  if (hours < 0 || hours > 23) return -1;
  let end = p + 3;
  let minutes = 0;
  const colon = s.charCodeAt(end) === 58 ? 1 : 0;
  const m = twoDigits(s, end + colon);
  if (m >= 0) {
    if (m > 59) return -1;
    minutes = m;
    end += colon + 2;
  } else if (colon) return -1;
  out.offsetSeconds = (hours * 3600 + minutes * 60) * (c === 43 ? 1 : -1);
  return end;
}

/** Two ASCII digits at p as a number, or -1. */
export function twoDigits(s: string, p: number): number {
  const a = s.charCodeAt(p) - 48;
  const b = s.charCodeAt(p + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in month m (1-12) of year y. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Why the fields are not a real date and time, or undefined. */
export function impossibleDateTime(f: DateTimeFields): string | undefined {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month))
    return 'is not a calendar date';
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return 'is not a time of day';
  return undefined;
}
