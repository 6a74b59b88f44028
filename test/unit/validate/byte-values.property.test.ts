import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../../lambdas/core/contract.js';
import { byteTextOf } from '../../../lambdas/core/csv/decode.js';
import {
  FIELD_EMPTY,
  plainReaderOf,
  readPlain,
  VALUE_READ,
} from '../../../lambdas/core/validate/byte-values.js';
import { columnParser } from '../../../lambdas/core/validate/values.js';
import { testContract } from '../../helpers/csv.js';

const d = (min: number, max: number) => fc.integer({ min, max }).map(String);
const pad = (n: number) => (v: string) => v.padStart(n, '0');

/** Text near the plain forms: valid values, off-by-one dates, stray signs, spaces and letters. */
const nearPlain = fc.oneof(
  fc
    .tuple(fc.constantFrom('', '-', '+'), d(0, 999_999_999), fc.constantFrom('', '.', '.5', '.25', '.125'))
    .map(([s, i, f]) => s + i + f),
  fc
    .tuple(d(0, 9999).map(pad(4)), d(0, 13).map(pad(2)), d(0, 32).map(pad(2)))
    .map(([y, m, dd]) => `${y}-${m}-${dd}`),
  fc
    .tuple(
      d(1600, 2400),
      d(1, 12).map(pad(2)),
      d(1, 31).map(pad(2)),
      fc.constantFrom('T', ' ', 't'),
      d(0, 24).map(pad(2)),
      d(0, 60).map(pad(2)),
      d(0, 60).map(pad(2)),
      fc.constantFrom('', '.1', '.123456', '.1234567', '.'),
      fc.constantFrom('', 'Z', 'z', '+02:00'),
    )
    .map(([y, mo, dd, sep, h, mi, s, f, z]) => `${y}-${mo}-${dd}${sep}${h}:${mi}:${s}${f}${z}`),
  fc.constantFrom(
    'true',
    'TRUE',
    'T',
    'y',
    'Yes',
    'no',
    'N',
    '0',
    '1',
    'false',
    'f',
    '2',
    '',
    ' 1',
    '\x11',
    'nope',
    'tRuE',
    'fAlSe',
    'YES',
    'nO',
    'tru',
    'falsy',
    'yas',
    'NO ',
    'Y\x05s',
    '\x14',
  ),
  fc.string({ maxLength: 12 }),
);

const columns: ColumnSpec[] = [
  { name: 'i64', type: 'int64', nullable: true },
  { name: 'i32', type: 'int32', nullable: true },
  { name: 'dec', type: 'decimal', precision: 12, scale: 2, nullable: true },
  { name: 'dec3', type: 'decimal', precision: 5, scale: 4, nullable: true },
  { name: 'day', type: 'date', nullable: true },
  { name: 'ts', type: 'timestamp', nullable: true },
  { name: 'ts_paris', type: 'timestamp', timezone: 'Europe/Paris', nullable: true },
  { name: 'flag', type: 'boolean', nullable: true },
] as ColumnSpec[];

/** Numbers and bigints compared as the integers they are (the encoders take either). */
const same = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v);

describe('byte readers of plain forms (property)', () => {
  it.each(columns)('read $name as its column parser does, or leave the field to it', (spec) => {
    const contract = testContract({ columns: [spec] });
    const column = contract.columns[0]!;
    const reader = plainReaderOf(column, contract)!;
    const parser = columnParser(column, contract);
    let read = 0;
    fc.assert(
      fc.property(nearPlain, fc.nat(3), (text, gap) => {
        const bytes = Buffer.concat([Buffer.alloc(gap, 0x2c), Buffer.from(text), Buffer.alloc(2, 0x2c)]);
        // A value lands at its row; the rows around it stay as they were.
        const out = new Float64Array([7, Number.NaN, 7]);
        const found = readPlain(reader, bytes, gap, bytes.length - 2, out, 1);
        expect(out[0]).toBe(7);
        expect(out[2]).toBe(7);
        if (found !== VALUE_READ && found !== FIELD_EMPTY) return;
        read++;
        if (found === FIELD_EMPTY) {
          expect(parser(byteTextOf(text))).toBeNull();
          return;
        }
        const value = spec.type === 'boolean' ? out[1] === 1 : out[1];
        expect(same(value)).toEqual(same(parser(byteTextOf(text))));
      }),
      { numRuns: 3000 },
    );
    // The readers must take the plain forms, or this would compare nothing.
    expect(read).toBeGreaterThan(100);
  });

  it('has no reader for columns whose values a marker or an option could change', () => {
    const withMarker = testContract({ columns: [{ name: 'n', type: 'int64' }], null_values: ['0'] });
    expect(plainReaderOf(withMarker.columns[0]!, withMarker)).toBeUndefined();
    const spelled = testContract({ columns: [{ name: 'b', type: 'boolean', true_values: ['si'] }] });
    expect(plainReaderOf(spelled.columns[0]!, spelled)).toBeUndefined();
    const formatted = testContract({ columns: [{ name: 'd', type: 'date', format: 'dd/MM/yyyy' }] });
    expect(plainReaderOf(formatted.columns[0]!, formatted)).toBeUndefined();
  });
});
