import { daysFromCivil, daysInMonth, twoDigits } from './datetime-format.js';
import type { WallToUtc } from './timezone.js';

/**
 * ISO 8601 timestamps read by hand: `YYYY-MM-DD`, optionally followed by `T`, `t` or a space and
 * `HH:MM`, `:SS` and a fraction of up to 9 digits, and a zone (`Z`, `±HH:MM` or `±HHMM`). Without
 * a zone the time is UTC, or wall-clock time that `toUtc` converts. The result is microseconds since the epoch: a number while it is a safe
 * integer (years 1685 to 2255), else a bigint; digits past the sixth of a fraction are dropped.
 *
 * A calendar date that does not exist (2023-02-29, 04-31) is invalid: Date.parse would roll it
 * over into the next month. `undefined` means the text is not in this form (or is 24:00) and is
 * left to Date.parse.
 */

export const BAD_TIMESTAMP = Symbol('bad timestamp');

const MICROS_PER_SECOND = 1_000_000;
// Seconds within which seconds * 1e6 + micros stays a safe integer.
const SAFE_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / MICROS_PER_SECOND) - 1;

/** Epoch microseconds of an ISO timestamp, BAD_TIMESTAMP, or undefined when `s` is not in the form. */
export function parseIsoTimestamp(
  s: string,
  toUtc?: WallToUtc,
): number | bigint | typeof BAD_TIMESTAMP | undefined {
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (y1 < 0 || y2 < 0 || month < 0 || day < 0) return undefined;
  const year = y1 * 100 + y2;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return BAD_TIMESTAMP;
  let seconds = daysFromCivil(year, month, day) * 86_400;
  let micros = 0;
  let zoned = false;
  let p = 10;
  if (p < n) {
    const sep = s.charCodeAt(p);
    if (sep !== 84 && sep !== 116 && sep !== 32) return undefined;
    if (p + 6 > n || s.charCodeAt(p + 3) !== 58) return undefined;
    const hour = twoDigits(s, p + 1);
    const minute = twoDigits(s, p + 4);
    if (hour < 0 || minute < 0) return undefined;
    if (hour === 24) return undefined;
    if (hour > 23 || minute > 59) return BAD_TIMESTAMP;
    seconds += hour * 3600 + minute * 60;
    p += 6;
    if (p < n && s.charCodeAt(p) === 58) {
      const second = twoDigits(s, p + 1);
      if (second < 0 || p + 3 > n) return undefined;
      if (second > 59) return BAD_TIMESTAMP;
      seconds += second;
      p += 3;
      if (p < n && s.charCodeAt(p) === 46) {
        let digits = 0;
        for (p++; p < n; p++, digits++) {
          const d = s.charCodeAt(p) - 48;
          if (d < 0 || d > 9) break;
          if (digits < 6) micros = micros * 10 + d;
        }
        if (digits === 0 || digits > 9) return undefined;
        for (let k = digits; k < 6; k++) micros *= 10;
      }
    }
    if (p < n) {
      const zone = s.charCodeAt(p);
      if ((zone === 90 || zone === 122) && p + 1 === n) {
        p++;
        zoned = true;
      } else if (zone === 43 || zone === 45) {
        const oh = twoDigits(s, p + 1);
        const colon = s.charCodeAt(p + 3) === 58 ? 1 : 0;
        const om = twoDigits(s, p + 3 + colon);
        if (oh < 0 || om < 0 || p + 5 + colon !== n) return undefined;
        if (oh > 23 || om > 59) return BAD_TIMESTAMP;
        const offset = (oh * 3600 + om * 60) * (zone === 43 ? 1 : -1);
        seconds -= offset;
        zoned = true;
        p = n;
      } else return undefined;
    }
  }
  if (p !== n) return undefined;
  if (toUtc && !zoned) seconds = toUtc(seconds);
  if (Math.abs(seconds) <= SAFE_SECONDS) return seconds * MICROS_PER_SECOND + micros;
  return BigInt(seconds) * BigInt(MICROS_PER_SECOND) + BigInt(micros);
}
