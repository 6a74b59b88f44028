import { describe, expect, it } from 'vitest';
import { byteTextOf, textOf } from '../../../lambdas/core/csv/decode.js';
import { checkHeader } from '../../../lambdas/core/validate/header.js';
import { RowConverter } from '../../../lambdas/core/validate/rows.js';
import { testContract } from '../../helpers/csv.js';

const typed = testContract({
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'amount', type: 'double' },
    { name: 'active', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'note' },
  ],
});

function converter(contract = typed) {
  const header = contract.columns.map((c) => c.name);
  return new RowConverter(contract, checkHeader(header, contract));
}

/** Converts a record given as text; the converter reads byte text, as the reader makes it. */
function convert(record: string[], contract = typed): { problem?: string; values: unknown[] } {
  const columns: unknown[][] = contract.columns.map(() => []);
  const problem = converter(contract).append(record.map(byteTextOf), columns);
  return { problem, values: columns.map((c) => (typeof c[0] === 'string' ? textOf(c[0]) : c[0])) };
}

describe('RowConverter', () => {
  it('converts declared types and keeps strings as they are', () => {
    expect(convert(['42', '12.50', 'yes', '2024-03-01 10:00:00', ' spaced ']).values).toEqual([
      42n,
      12.5,
      true,
      BigInt(Date.UTC(2024, 2, 1, 10)) * 1000n,
      ' spaced ',
    ]);
  });

  it('reads timestamps without a zone as UTC and honours an explicit offset', () => {
    expect(convert(['1', '', '', '2024-03-01T10:00:00+02:00', '']).values[3]).toBe(
      BigInt(Date.UTC(2024, 2, 1, 8)) * 1000n,
    );
  });

  it('stores empty typed fields as null and empty strings as empty strings', () => {
    expect(convert(['1', '', '', '', '']).values).toEqual([1n, null, null, null, '']);
  });

  it('stores empty strings as null when the contract asks for it', () => {
    const contract = testContract({ bronze: { empty_string_as_null: true } });
    expect(convert(['', 'x'], contract).values).toEqual([null, 'x']);
  });

  it.each([
    [['x', '', '', '', ''], 'field id: cannot read "x" as int64'],
    [['99999999999999999999', '', '', '', ''], 'field id: cannot read "99999999999999999999" as int64'],
    [['1', 'abc', '', '', ''], 'field amount: cannot read "abc" as double'],
    [['1', '0x10', '', '', ''], 'field amount: cannot read "0x10" as double'],
    [['1', '', 'maybe', '', ''], 'field active: cannot read "maybe" as boolean'],
    [['1', '', '', 'yesterday', ''], 'field at: cannot read "yesterday" as timestamp'],
    [['', '', '', '', ''], 'field id is required but empty'],
    [['1', '2'], 'has 2 fields, expected 5'],
    [['1', '2', '', '', '', 'extra'], 'has 6 fields, expected 5'],
  ])('rejects %j: %s', (record, message) => {
    expect(convert(record).problem).toBe(message);
  });

  it('leaves the columns untouched when a record is bad', () => {
    const columns: unknown[][] = typed.columns.map(() => []);
    const c = converter();
    expect(c.append(['1', 'bad', '', '', ''], columns)).toBeDefined();
    expect(columns.every((col) => col.length === 0)).toBe(true);
  });

  it('rejects a field longer than the byte limit, counting multi-byte characters', () => {
    const contract = testContract({ limits: { max_field_bytes: 10 } });
    expect(convert(['1', 'ééééé'], contract).problem).toBeUndefined();
    expect(convert(['1', 'éééééé'], contract).problem).toBe('field name is longer than 10 bytes');
  });

  it('trims Unicode spaces around typed values and shows non-ASCII values as text in problems', () => {
    expect(convert(['\u00a07\u2003', '', '', '', 'x']).values[0]).toBe(7n);
    expect(convert(['7€', '', '', '', 'x']).problem).toBe('field id: cannot read "7€" as int64');
  });
});
