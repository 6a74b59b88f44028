import { describe, expect, it } from 'vitest';
import { byteTextOf } from '../../../lambdas/core/csv/decode.js';
import { BadValue, columnParser } from '../../../lambdas/core/validate/values.js';
import { testContract } from '../../helpers/csv.js';

/** Parses `raw` as the only column of a contract built from `column` (and contract-level `extra`). */
function parse(column: Record<string, unknown>, raw: string, extra: Record<string, unknown> = {}): unknown {
  return parser(column, extra)(raw);
}

/** The parser of a one-column contract, reporting a bad value as "bad: reason". */
function parser(
  column: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): (raw: string) => unknown {
  const contract = testContract({ columns: [{ name: 'v', ...column }], ...extra });
  const read = columnParser(contract.columns[0]!, contract);
  return (raw) => {
    const v = read(byteTextOf(raw));
    return v instanceof BadValue ? `bad: ${v.reason ?? ''}` : v;
  };
}

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const asBig = (v: unknown) => (typeof v === 'number' ? BigInt(v) : v);

describe('decimal values', () => {
  const dec = (precision: number, scale: number) => ({ type: 'decimal', precision, scale });

  it.each([
    ['12.34', 10, 2, 1234],
    ['-12.3', 10, 2, -1230],
    ['+0012.30', 10, 2, 1230],
    ['12.3400', 10, 2, 1234],
    ['.5', 10, 2, 50],
    ['5.', 10, 2, 500],
    ['-0.00', 10, 2, 0],
    ['0', 9, 0, 0],
    ['999999999', 9, 0, 999999999],
    ['-9999999.99', 9, 2, -999999999],
    ['1.5e3', 10, 2, 150000],
    ['125E-2', 10, 2, 125],
  ])('reads %j as decimal(%i,%i) to the unscaled %i', (raw, p, s, unscaled) => {
    expect(parse(dec(p, s), raw)).toBe(unscaled);
  });

  it('reads the largest and smallest decimal(38,0) and decimal(18,4) exactly', () => {
    expect(parse(dec(38, 0), '9'.repeat(38))).toBe(10n ** 38n - 1n);
    expect(parse(dec(38, 0), `-${'9'.repeat(38)}`)).toBe(-(10n ** 38n - 1n));
    expect(asBig(parse(dec(18, 4), '99999999999999.9999'))).toBe(10n ** 18n - 1n);
    expect(asBig(parse(dec(38, 10), '-1234567890123456789012345678.0123456789'))).toBe(
      -12345678901234567890123456780123456789n,
    );
  });

  it.each([
    ['1.234', 10, 2, 'has 3 digits after the point, more than the scale 2'],
    ['123456789', 10, 2, 'has 9 digits before the point, more than 8 (precision 10, scale 2)'],
    ['1e-3', 10, 2, 'has 3 digits after the point, more than the scale 2'],
    ['1e9', 10, 2, 'has 10 digits before the point, more than 8 (precision 10, scale 2)'],
    ['1,5', 10, 2, 'is not a decimal number'],
    ['--1', 10, 2, 'is not a decimal number'],
    ['.', 10, 2, 'is not a decimal number'],
    ['NaN', 10, 2, 'is not a decimal number'],
    ['0x10', 10, 2, 'is not a decimal number'],
  ])('rejects %j as decimal(%i,%i) rather than rounding: %s', (raw, p, s, reason) => {
    expect(parse(dec(p, s), raw)).toBe(`bad: ${reason}`);
  });
});

describe('int32 values', () => {
  it.each([
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    [' +7 ', 7],
  ])('reads %j', (raw, value) => {
    expect(parse({ type: 'int32' }, raw)).toBe(value);
  });

  it.each(['2147483648', '-2147483649', '999999999999'])('rejects %j as out of range', (raw) => {
    expect(parse({ type: 'int32' }, raw)).toBe('bad: is out of the int32 range');
  });
});

describe('boolean values', () => {
  it.each([
    ['TRUE', true],
    ['Yes', true],
    ['y', true],
    ['1', true],
    ['No', false],
    ['0', false],
  ])('reads %j with the default spellings, whatever the case', (raw, value) => {
    expect(parse({ type: 'boolean' }, raw)).toBe(value);
  });

  it("reads the column's own spellings, case-sensitive when asked", () => {
    const column = { type: 'boolean', true_values: ['J'], false_values: ['N'], case_sensitive: true };
    expect(parse(column, 'J')).toBe(true);
    expect(parse(column, 'N')).toBe(false);
    expect(parse(column, 'j')).toBe('bad: ');
    expect(parse(column, 'true')).toBe('bad: ');
  });
});

describe('NULL markers', () => {
  it("keeps today's default: empty typed fields are NULL, empty strings stay empty", () => {
    expect(parse({ type: 'int64' }, '  ')).toBeNull();
    expect(parse({}, '')).toBe('');
  });

  it("reads the contract's null_values as NULL in every column, exactly or padded", () => {
    const extra = { null_values: ['', 'NULL', '\\N', '-'] };
    expect(parse({}, 'NULL', extra)).toBeNull();
    expect(parse({}, '\\N', extra)).toBeNull();
    expect(parse({}, 'null', extra)).toBe('null');
    expect(parse({ type: 'decimal', precision: 5, scale: 2 }, ' - ', extra)).toBeNull();
    expect(parse({ type: 'date' }, 'NULL', extra)).toBeNull();
  });

  it("lets a column replace the contract's markers, even with a value of its type", () => {
    const extra = { null_values: ['NULL'] };
    expect(parse({ null_values: ['n/a'] }, 'NULL', extra)).toBe('NULL');
    expect(parse({ null_values: ['n/a'] }, 'n/a', extra)).toBeNull();
    expect(parse({ type: 'int32', null_values: ['0'] }, '0', extra)).toBeNull();
  });

  it('maps bronze.empty_string_as_null onto an empty marker', () => {
    expect(parse({}, '', { bronze: { empty_string_as_null: true } })).toBeNull();
  });
});

describe('date values', () => {
  const day = (iso: string) => Date.parse(iso) / 86_400_000;

  it.each([
    [undefined, '1970-01-01', day('1970-01-01')],
    [undefined, '1969-12-31', -1],
    [undefined, '9999-12-31', day('9999-12-31')],
    [undefined, '0001-01-01', day('0001-01-01')],
    ['dd/MM/yyyy', '29/02/2024', day('2024-02-29')],
    ['MM/dd/yyyy', '12/31/1899', day('1899-12-31')],
    ['d.M.yyyy', '5.3.2024', day('2024-03-05')],
    ['yyyyMMdd', '20240305', day('2024-03-05')],
  ])('reads format %s value %j as days since the epoch', (format, raw, days) => {
    expect(parse({ type: 'date', ...(format ? { format } : {}) }, raw)).toBe(days);
  });

  it.each([
    [undefined, '2023-02-29', 'is not a calendar date'],
    [undefined, '2024-04-31', 'is not a calendar date'],
    [undefined, '2024-03-05T00:00', 'does not match the format'],
    ['dd/MM/yyyy', '31/04/2024', 'is not a calendar date'],
    ['dd/MM/yyyy', '2024-04-01', 'does not match the format'],
    ['yyyyMMdd', '2024035', 'does not match the format'],
  ])('rejects format %s value %j: %s', (format, raw, reason) => {
    expect(parse({ type: 'date', ...(format ? { format } : {}) }, raw)).toBe(`bad: ${reason}`);
  });
});

describe('timestamp values', () => {
  it.each([
    ['MM/dd/yyyy HH:mm:ss', '03/05/2024 14:30:15', '2024-03-05T14:30:15Z'],
    ['dd/MM/yyyy H:mm', '05/03/2024 9:05', '2024-03-05T09:05:00Z'],
    ["yyyy-MM-dd'T'HH:mm:ss.SSSXXX", '2024-03-05T14:30:15.250+01:00', '2024-03-05T13:30:15.250Z'],
    ['yyyyMMddHHmmss', '20240305143015', '2024-03-05T14:30:15Z'],
    ['yyyy-MM-dd HH:mm:ssX', '2024-03-05 14:30:15Z', '2024-03-05T14:30:15Z'],
  ])('reads format %s value %j in UTC', (format, raw, iso) => {
    expect(asBig(parse({ type: 'timestamp', format }, raw))).toBe(micros(iso));
  });

  it('reads a fraction to the microsecond with a format', () => {
    const v = parse(
      { type: 'timestamp', format: 'yyyy-MM-dd HH:mm:ss.SSSSSS' },
      '2024-03-05 14:30:15.123456',
    );
    expect(asBig(v)).toBe(micros('2024-03-05T14:30:15Z') + 123456n);
  });

  it.each([
    ['epoch_seconds', '1709649015', '2024-03-05T14:30:15Z'],
    ['epoch_seconds', '-86400', '1969-12-31T00:00:00Z'],
    ['epoch_millis', '1709649015250', '2024-03-05T14:30:15.250Z'],
  ])('reads %s %j', (format, raw, iso) => {
    expect(asBig(parse({ type: 'timestamp', format }, raw))).toBe(micros(iso));
  });

  it('reads a fraction of an epoch second to the microsecond', () => {
    expect(asBig(parse({ type: 'timestamp', format: 'epoch_seconds' }, '1.000001'))).toBe(1_000_001n);
  });

  it.each([
    ['MM/dd/yyyy HH:mm:ss', '02/30/2024 10:00:00', 'is not a calendar date'],
    ['MM/dd/yyyy HH:mm:ss', '02/03/2024 24:00:00', 'is not a time of day'],
    ['MM/dd/yyyy HH:mm:ss', '02/03/2024', 'does not match the format'],
    ['epoch_seconds', '1e9', ''],
    ['epoch_millis', '17.0005', 'has 4 digits after the point, more than the scale 3'],
  ])('rejects format %s value %j: %s', (format, raw, reason) => {
    expect(parse({ type: 'timestamp', format }, raw)).toBe(`bad: ${reason}`);
  });

  describe('in a time zone', () => {
    const paris = (format?: string) => ({
      type: 'timestamp',
      timezone: 'Europe/Paris',
      ...(format ? { format } : {}),
    });

    it.each([
      // Winter (+01:00) and summer (+02:00), with and without a format.
      [undefined, '2024-01-15 12:00:00', '2024-01-15T11:00:00Z'],
      [undefined, '2024-07-15T12:00:00', '2024-07-15T10:00:00Z'],
      ['dd/MM/yyyy HH:mm', '15/07/2024 12:00', '2024-07-15T10:00:00Z'],
      // A value with its own offset keeps it.
      [undefined, '2024-07-15T12:00:00Z', '2024-07-15T12:00:00Z'],
      ['dd/MM/yyyy HH:mmXXX', '15/07/2024 12:00-03:00', '2024-07-15T15:00:00Z'],
      // Around the spring-forward on 2024-03-31 (02:00 becomes 03:00).
      [undefined, '2024-03-31 01:59:59', '2024-03-31T00:59:59Z'],
      [undefined, '2024-03-31 03:00:00', '2024-03-31T01:00:00Z'],
      // A skipped time moves forward by the gap: 02:30 is 03:30 summer time.
      [undefined, '2024-03-31 02:30:00', '2024-03-31T01:30:00Z'],
      // Around the fall-back on 2024-10-27 (03:00 becomes 02:00): the repeated hour is the earlier one.
      [undefined, '2024-10-27 01:59:59', '2024-10-26T23:59:59Z'],
      [undefined, '2024-10-27 02:30:00', '2024-10-27T00:30:00Z'],
      [undefined, '2024-10-27 03:00:00', '2024-10-27T02:00:00Z'],
      // Dates before the epoch and far ahead.
      [undefined, '1969-07-20 21:17:40', '1969-07-20T20:17:40Z'],
      [undefined, '2100-07-01 00:00:00', '2100-06-30T22:00:00Z'],
    ])('reads format %s value %j in Europe/Paris', (format, raw, iso) => {
      expect(asBig(parse(paris(format), raw))).toBe(micros(iso));
    });

    it('reads a zone with a half-hour offset and southern-hemisphere summer time', () => {
      const adelaide = { type: 'timestamp', timezone: 'Australia/Adelaide' };
      expect(asBig(parse(adelaide, '2024-01-15 12:00:00'))).toBe(micros('2024-01-15T01:30:00Z'));
      expect(asBig(parse(adelaide, '2024-07-15 12:00:00'))).toBe(micros('2024-07-15T02:30:00Z'));
    });

    it('agrees with Intl for every hour of a year in America/New_York', () => {
      const epoch = parser({ type: 'timestamp', timezone: 'America/New_York', format: 'epoch_seconds' });
      const zoned = parser({
        type: 'timestamp',
        timezone: 'America/New_York',
        format: 'yyyy-MM-dd HH:mm:ss',
      });
      const wall = new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'America/New_York',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
      const start = Date.UTC(2024, 0, 1) / 1000;
      for (let s = start; s < start + 366 * 86_400; s += 3600 + 61) {
        const local = wall.format(new Date(s * 1000));
        const back = asBig(zoned(local)) as bigint;
        // The repeated hour reads as its first instance: the same wall time, an hour earlier at most.
        expect(back === BigInt(s) * 1_000_000n || back === BigInt(s - 3600) * 1_000_000n).toBe(true);
        expect(asBig(epoch(String(s)))).toBe(BigInt(s) * 1_000_000n);
      }
    });
  });
});
