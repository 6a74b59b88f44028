/**
 * Exact decimals: text to the unscaled integer of a DECIMAL(precision, scale), never rounded.
 * A value with more significant fractional digits than the scale, or more integer digits than
 * precision - scale, is refused with the reason. Accepted: a leading sign, leading zeros,
 * trailing zeros past the scale (they change nothing), `.5` and `5.`, and an exponent
 * (`1.5e3`), which only moves the point and so stays exact.
 */

/** The unscaled value: a number while it is a safe integer, else a bigint. */
export type Unscaled = number | bigint;

/** Why text is not a decimal of the column, as a reason string. */
export class DecimalProblem {
  constructor(readonly reason: string) {}
}

const NOT_A_NUMBER = new DecimalProblem('is not a decimal number');
const POWERS_OF_TEN = Array.from({ length: 17 }, (_, k) => 10 ** k);

/** Parses decimal text (already trimmed, non-empty) to its unscaled integer at `scale`. */
export function parseDecimal(s: string, precision: number, scale: number): Unscaled | DecimalProblem {
  const n = s.length;
  const first = s.charCodeAt(0);
  const negative = first === 45;
  let i = negative || first === 43 ? 1 : 0;
  // The digits without the point: [i, intEnd) then [fracStart, digitsEnd).
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  if (i < n && s.charCodeAt(i) === 46) {
    fracStart = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  }
  const digitsEnd = i;
  if (intEnd === intStart && digitsEnd === fracStart) return NOT_A_NUMBER;
  if (i < n) {
    const e = s.charCodeAt(i);
    if (e !== 101 && e !== 69) return NOT_A_NUMBER;
    return withExponent(s, negative, intStart, intEnd, fracStart, digitsEnd, i + 1, precision, scale);
  }
  return scaled(s, negative, intStart, intEnd, fracStart, digitsEnd, precision, scale);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The value of integer digits s[intStart, intEnd) and fraction digits s[fracStart, fracEnd). */
function scaled(
  s: string,
  negative: boolean,
  intStart: number,
  intEnd: number,
  fracStart: number,
  fracEnd: number,
  precision: number,
  scale: number,
): Unscaled | DecimalProblem {
  while (intStart < intEnd && s.charCodeAt(intStart) === 48) intStart++;
  while (fracEnd > fracStart && s.charCodeAt(fracEnd - 1) === 48) fracEnd--;
  const fracDigits = fracEnd - fracStart;
  const intDigits = intEnd - intStart;
  if (fracDigits > scale)
    return new DecimalProblem(`has ${fracDigits} digits after the point, more than the scale ${scale}`);
  if (intDigits > precision - scale)
    return new DecimalProblem(
      `has ${intDigits} digits before the point, more than ${precision - scale} (precision ${precision}, scale ${scale})`,
    );
  if (intDigits + scale <= 16) {
    // Each step's exact result is at most the final one, so a final value within 2^53 was
    // computed exactly all along.
    let v = 0;
    for (let k = intStart; k < intEnd; k++) v = v * 10 + (s.charCodeAt(k) - 48);
    for (let k = fracStart; k < fracEnd; k++) v = v * 10 + (s.charCodeAt(k) - 48);
    v *= POWERS_OF_TEN[scale - fracDigits]!;
    if (v <= Number.MAX_SAFE_INTEGER) return negative && v !== 0 ? -v : v;
  }
  const text = s.slice(intStart, intEnd) + s.slice(fracStart, fracEnd) + '0'.repeat(scale - fracDigits);
  const v = BigInt(text);
  return negative ? -v : v;
}

/** A value with an exponent: the point moves, the digits stay, so the result is exact or refused. */
function withExponent(
  s: string,
  negative: boolean,
  intStart: number,
  intEnd: number,
  fracStart: number,
  fracEnd: number,
  expStart: number,
  precision: number,
  scale: number,
): Unscaled | DecimalProblem {
  const expText = s.slice(expStart);
  if (!/^[+-]?\d{1,4}$/.test(expText)) return NOT_A_NUMBER;
  const exponent = Number(expText);
  const digits = s.slice(intStart, intEnd) + s.slice(fracStart, fracEnd);
  // The point sits after `point` digits of `digits`; pad with zeros so it falls inside them.
  const point = intEnd - intStart + exponent;
  const padded =
    point < 0 ? '0'.repeat(-point) + digits : point > digits.length ? digits.padEnd(point, '0') : digits;
  const at = Math.max(point, 0);
  const plain = `${padded.slice(0, at) || '0'}.${padded.slice(at)}`;
  return scaled(
    plain,
    negative,
    0,
    plain.indexOf('.'),
    plain.indexOf('.') + 1,
    plain.length,
    precision,
    scale,
  );
}

/** The text of an unscaled value at `scale`, as DuckDB prints it ("-0.05", "12", "1.50"). */
export function decimalText(unscaled: Unscaled, scale: number): string {
  const v = BigInt(unscaled);
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const text = scale > 0 ? `${whole}.${digits.slice(digits.length - scale)}` : whole;
  return negative ? `-${text}` : text;
}
