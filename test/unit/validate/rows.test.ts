import { describe, expect, it } from 'vitest';
import { CsvChunk } from '../../../lambdas/core/csv/scanner.js';
import { NumberValues } from '../../../lambdas/core/parquet/index.js';
import { checkHeader } from '../../../lambdas/core/validate/header.js';
import { RowConverter } from '../../../lambdas/core/validate/rows.js';
import { blockAsText, chunkOf, testContract } from '../../helpers/csv.js';

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
  const c = converter(contract);
  const problem = c.append(chunkOf([record]), 0);
  // int64 and timestamp values come as numbers while exact, else bigints: compared as bigints.
  const exact = (v: unknown, c: number) =>
    typeof v === 'number' && ['int64', 'timestamp'].includes(contract.columns[c]!.type) ? BigInt(v) : v;
  return { problem, values: blockAsText(c.takeBlock(), contract).map((column, i) => exact(column[0], i)) };
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

  it.each([
    ['7', 7n],
    [' +7 ', 7n],
    ['-0', 0n],
    ['123456789012345', 123456789012345n],
    ['-1234567890123456', -1234567890123456n],
    ['9223372036854775807', 2n ** 63n - 1n],
    ['-9223372036854775808', -(2n ** 63n)],
  ])('reads int64 %j exactly', (raw, value) => {
    expect(convert([raw, '', '', '', '']).values[0]).toBe(value);
  });

  it.each(['1.0', '1e3', '--1', '+', '12 3'])('rejects int64 %j', (raw) => {
    expect(convert([raw, '', '', '', '']).problem).toBe(`field id: cannot read "${raw}" as int64`);
  });

  it('rejects an int64 out of range and says so', () => {
    expect(convert(['9223372036854775808', '', '', '', '']).problem).toBe(
      'field id: cannot read "9223372036854775808" as int64: is out of the int64 range',
    );
  });

  it.each([
    ['2024-03-01T10:00:00.123456Z', BigInt(Date.UTC(2024, 2, 1, 10)) * 1000n + 123456n],
    ['2024-03-01 10:00:00.123456789', BigInt(Date.UTC(2024, 2, 1, 10)) * 1000n + 123456n],
    ['2024-03-01t10:00:00.5+05:30', BigInt(Date.UTC(2024, 2, 1, 4, 30)) * 1000n + 500000n],
    ['2024-03-01T10:00-0100', BigInt(Date.UTC(2024, 2, 1, 11)) * 1000n],
    ['2024-02-29', BigInt(Date.UTC(2024, 1, 29)) * 1000n],
    ['9999-12-31T23:59:59.999999Z', BigInt(Date.UTC(9999, 11, 31, 23, 59, 59)) * 1000n + 999999n],
    ['0001-01-01T00:00:00Z', BigInt(Date.parse('0001-01-01T00:00:00Z')) * 1000n],
    // Not the hand-read form: Date.parse decides, as before.
    ['2024-01-01T24:00:00Z', BigInt(Date.UTC(2024, 0, 2)) * 1000n],
    ['2024-1-05', BigInt(Date.UTC(2024, 0, 5)) * 1000n],
  ])('reads timestamp %j to the microsecond', (raw, value) => {
    expect(convert(['1', '', '', raw, '']).values[3]).toBe(value);
  });

  it.each([
    '2023-02-29',
    '2024-04-31 10:00:00',
    '2024-13-01',
    '2024-01-01T23:60:00',
    '2024-01-01T10:00:00+25:00',
  ])('rejects the impossible timestamp %j rather than rolling it over', (raw) => {
    expect(convert(['1', '', '', raw, '']).problem).toBe(`field at: cannot read "${raw}" as timestamp`);
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

  it('names the NULL marker that made a required value NULL', () => {
    const contract = testContract({
      columns: [{ name: 'id', type: 'int64', nullable: false }, { name: 'note' }],
      null_values: ['NULL'],
    });
    expect(convert(['NULL', 'x'], contract).problem).toBe('field id is required but "NULL" is a NULL marker');
    expect(convert(['1', 'NULL'], contract).values).toEqual([1n, null]);
  });

  it("refuses a second chunk's rows before the block is taken, even from the same buffer", () => {
    const first = chunkOf([['1', '', '', '', 'a']]);
    // The reader's next chunk can sit in the buffer of the last one.
    const next = new CsvChunk(
      first.bytes,
      first.count,
      first.lines,
      new Map(),
      first.fieldStarts,
      first.fieldEnds,
      first.firstField,
      first.chars,
    );
    const c = converter();
    expect(c.append(first, 0)).toBeUndefined();
    expect(() => c.append(next, 0)).toThrow(/take the block first/);
    expect(blockAsText(c.takeBlock(), typed)[4]).toEqual(['a']);
    expect(c.append(next, 0)).toBeUndefined();
  });

  it('leaves the block untouched when a record is bad', () => {
    const c = converter();
    expect(c.append(chunkOf([['1', 'bad', '', '', '']]), 0)).toBeDefined();
    expect(c.rows).toBe(0);
    expect(c.takeBlock().every((column) => column.length === 0)).toBe(true);
  });

  it('keeps the rows around a bad one whole, whichever column the bad value is in', () => {
    const c = converter();
    const chunk = chunkOf([
      ['1', '1.5', 'yes', '', 'a'],
      ['2', '2.5', 'no', 'not a time', 'b'],
      ['3', '3.5', '', '', 'c'],
    ]);
    expect(c.append(chunk, 0)).toBeUndefined();
    expect(c.append(chunk, 1)).toMatch(/field at: cannot read "not a time"/);
    expect(c.append(chunk, 2)).toBeUndefined();
    expect(blockAsText(c.takeBlock(), typed)).toEqual([
      [1, 3],
      [1.5, 3.5],
      [true, null],
      [null, null],
      ['a', 'c'],
    ]);
  });

  it('keeps typed values as numbers, and a column in an array once a value is past exact numbers', () => {
    const c = converter();
    const first = chunkOf([
      ['1', '1.5', 'yes', '', 'a'],
      ['9007199254740993', '2.5', 'no', '2024-03-01 10:00:00', 'b'],
      ['3', '', 'n', '', 'c'],
    ]);
    expect(c.append(first, 0)).toBeUndefined();
    let block = c.takeBlock();
    expect(block[0]).toBeInstanceOf(NumberValues);
    expect(blockAsText(block, typed)[0]).toEqual([1]);
    for (const r of [0, 1, 2]) expect(c.append(first, r)).toBeUndefined();
    block = c.takeBlock();
    // The rows before the bigint move over with it; the other columns stay numbers.
    expect(block[0]).toEqual([1, 9007199254740993n, 3]);
    expect(block[1]).toBeInstanceOf(NumberValues);
    expect(blockAsText(block, typed).slice(1, 4)).toEqual([
      [1.5, 2.5, null],
      [true, false, false],
      [null, 1709287200000000, null],
    ]);
    // Later blocks keep the column in an array.
    expect(c.append(first, 2)).toBeUndefined();
    expect(c.takeBlock()[0]).toEqual([3]);
  });

  it('reads plain forms and empty fields of a column kept in an array as before', () => {
    const c = converter();
    const chunk = chunkOf([
      ['1', '', '', '2300-01-01 00:00:00', 'a'],
      ['2', '', '', '', 'b'],
      ['3', '', '', '2024-03-01 10:00:00', 'c'],
    ]);
    for (const r of [0, 1, 2]) expect(c.append(chunk, r)).toBeUndefined();
    expect(c.takeBlock()[3]).toEqual([10413792000000000n, null, 1709287200000000]);
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
