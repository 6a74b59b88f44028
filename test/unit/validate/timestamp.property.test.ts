import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAD_TIMESTAMP, parseIsoTimestamp } from '../../../lambdas/core/validate/timestamp.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Days in a month, from Date's own calendar (an independent reference). */
const daysIn = (y: number, m: number) => {
  const d = new Date(0);
  d.setUTCFullYear(y, m, 0);
  return d.getUTCDate();
};

describe('parseIsoTimestamp (property)', () => {
  it('agrees with Date.UTC to the microsecond on every valid ISO timestamp, in every allowed form', () => {
    fc.assert(
      fc.property(
        fc.record({
          y: fc.integer({ min: 0, max: 9999 }),
          m: fc.integer({ min: 1, max: 12 }),
          d: fc.integer({ min: 1, max: 31 }),
          h: fc.integer({ min: 0, max: 23 }),
          mi: fc.integer({ min: 0, max: 59 }),
          s: fc.option(fc.integer({ min: 0, max: 59 })),
          fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
          sep: fc.constantFrom('T', 't', ' '),
          zone: fc.option(fc.tuple(fc.constantFrom(1, -1), fc.nat(23), fc.nat(59), fc.boolean())),
          dateOnly: fc.boolean(),
        }),
        (t) => {
          const day = Math.min(t.d, daysIn(t.y, t.m));
          let text = `${pad(t.y, 4)}-${pad(t.m)}-${pad(day)}`;
          const date = new Date(0);
          date.setUTCFullYear(t.y, t.m - 1, day);
          let micros = BigInt(date.getTime()) * 1000n;
          if (!t.dateOnly) {
            text += `${t.sep}${pad(t.h)}:${pad(t.mi)}`;
            micros += BigInt(t.h * 3600 + t.mi * 60) * 1_000_000n;
            if (t.s !== null) {
              text += `:${pad(t.s)}`;
              micros += BigInt(t.s) * 1_000_000n;
              if (t.fraction !== null) {
                text += `.${t.fraction}`;
                micros += BigInt(t.fraction.slice(0, 6).padEnd(6, '0'));
              }
            }
            if (t.zone !== null) {
              const [sign, oh, om, colon] = t.zone;
              text += `${sign > 0 ? '+' : '-'}${pad(oh)}${colon ? ':' : ''}${pad(om)}`;
              micros -= BigInt(sign * (oh * 3600 + om * 60)) * 1_000_000n;
            }
          }
          const got = parseIsoTimestamp(text);
          // A number only while exact, else a bigint.
          if (typeof got === 'number') expect(Number.isSafeInteger(got)).toBe(true);
          else expect(typeof got).toBe('bigint');
          expect(BigInt(got as number | bigint)).toBe(micros);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('calls a day past the end of its month bad', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const first = daysIn(y, m) + 1;
        for (let d = first; d <= 31; d++)
          expect(parseIsoTimestamp(`${pad(y, 4)}-${pad(m)}-${pad(d)}T00:00:00Z`)).toBe(BAD_TIMESTAMP);
      }),
    );
  });
});
