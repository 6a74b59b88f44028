import { describe, expect, it } from 'vitest';
import { HeaderMismatchError } from '../../../lambdas/core/errors.js';
import { schemaEvolutionOf, usesRescue } from '../../../lambdas/core/schema-evolution.js';
import { checkHeader } from '../../../lambdas/core/validate/header.js';
import { RowConverter } from '../../../lambdas/core/validate/rows.js';
import { blockAsText, chunkOf, testContract } from '../../helpers/csv.js';

const columns = [
  { name: 'id', type: 'int64', nullable: false },
  { name: 'amount', type: 'double' },
  { name: 'note' },
];

/** A contract of id, amount and note under the given schema evolution. */
const contractWith = (schema_evolution: Record<string, string>, extra: Record<string, unknown> = {}) =>
  testContract({ columns, schema_evolution, ...extra });

/** Converts records (as text) under a header; returns the columns as text and the problems. */
function convertAll(contract: ReturnType<typeof contractWith>, header: string[], records: string[][]) {
  const converter = new RowConverter(contract, checkHeader(header, contract));
  const chunk = chunkOf(records);
  const problems = records.map((_, r) => converter.append(chunk, r));
  const values = blockAsText(converter.takeBlock(), contract);
  return { values, problems, rescued: converter.rescuedValues() };
}

describe('schema evolution in the contract', () => {
  it('keeps today\'s behaviour by default and reads header.extra_columns "allow" as ignore', () => {
    expect(schemaEvolutionOf(testContract())).toEqual({
      unexpectedColumns: 'reject',
      missingColumns: 'reject',
      badValues: 'bad_row',
    });
    expect(schemaEvolutionOf(testContract({ header: { extra_columns: 'allow' } })).unexpectedColumns).toBe(
      'ignore',
    );
    expect(usesRescue(testContract())).toBe(false);
  });

  it('refuses unexpected_columns "reject" beside header.extra_columns "allow"', () => {
    expect(() =>
      testContract({
        header: { extra_columns: 'allow' },
        schema_evolution: { unexpected_columns: 'reject' },
      }),
    ).toThrow(/schema_evolution.unexpected_columns/);
  });
});

describe('header mapping under schema evolution', () => {
  it('rejects a missing or an unexpected column by default', () => {
    expect(() => checkHeader(['id', 'amount'], contractWith({}))).toThrow(HeaderMismatchError);
    expect(() => checkHeader(['id', 'amount', 'note', 'new'], contractWith({}))).toThrow(HeaderMismatchError);
  });

  it('maps a missing nullable column to NULL and reports it under missing_columns "null"', () => {
    const mapping = checkHeader(['id', 'note'], contractWith({ missing_columns: 'null' }));
    expect(mapping).toMatchObject({ sourceIndex: [0, -1, 1], missing: ['amount'], extra: [] });
  });

  it('still rejects a missing non-nullable column under missing_columns "null"', () => {
    const error = (() => {
      try {
        checkHeader(['amount', 'note'], contractWith({ missing_columns: 'null' }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(HeaderMismatchError);
    expect((error as Error).message).toContain('missing: id');
  });

  it('reports unexpected columns with their positions when they are ignored or rescued', () => {
    for (const policy of ['ignore', 'rescue']) {
      const mapping = checkHeader(
        ['id', 'extra', 'amount', 'note'],
        contractWith({ unexpected_columns: policy }),
      );
      expect(mapping).toMatchObject({ sourceIndex: [0, 2, 3], extra: ['extra'], extraIndex: [1] });
    }
  });

  it('shows a renamed column as one missing and one unexpected column', () => {
    const error = (() => {
      try {
        checkHeader(['id', 'amount', 'remark'], contractWith({}));
      } catch (e) {
        return e as HeaderMismatchError;
      }
    })();
    expect(error?.message).toContain('missing: note');
    expect(error?.message).toContain('unexpected: remark');
    const mapping = checkHeader(
      ['id', 'amount', 'remark'],
      contractWith({ missing_columns: 'null', unexpected_columns: 'ignore' }),
    );
    expect(mapping).toMatchObject({ missing: ['note'], extra: ['remark'] });
  });
});

describe('RowConverter under schema evolution', () => {
  it('fills a missing nullable column with NULL', () => {
    const { values, problems } = convertAll(
      contractWith({ missing_columns: 'null' }),
      ['id', 'note'],
      [['1', 'x']],
    );
    expect(problems).toEqual([undefined]);
    expect(values).toEqual([[1], [null], ['x']]);
  });

  it('drops an ignored column from bronze', () => {
    const { values } = convertAll(
      contractWith({ unexpected_columns: 'ignore' }),
      ['id', 'amount', 'note', 'extra'],
      [['1', '2.5', 'x', 'dropped']],
    );
    expect(values).toEqual([[1], [2.5], ['x']]);
  });

  it('rescues the values of unexpected columns as JSON, NULL when they are empty', () => {
    const { values, rescued } = convertAll(
      contractWith({ unexpected_columns: 'rescue' }),
      ['id', 'amount', 'note', 'région', 'b'],
      [
        ['1', '2.5', 'x', 'Zürich', ''],
        ['2', '3', 'y', '', ''],
      ],
    );
    expect(values[3]).toEqual([JSON.stringify({ région: 'Zürich' }), null]);
    expect(rescued).toEqual({ région: 1 });
  });

  it('rescues a value that does not parse: NULL in its column, its text in _rescued_data, the row kept', () => {
    const { values, problems, rescued } = convertAll(
      contractWith({ bad_values: 'rescue' }),
      ['id', 'amount', 'note'],
      [
        ['1', 'twelve', 'x'],
        ['2', '12', 'y'],
      ],
    );
    expect(problems).toEqual([undefined, undefined]);
    expect(values).toEqual([
      [1, 2],
      [null, 12],
      ['x', 'y'],
      ['{"amount":"twelve"}', null],
    ]);
    expect(rescued).toEqual({ amount: 1 });
  });

  it('keeps a bad value in a non-nullable column a bad row, and counts nothing of a bad row as rescued', () => {
    const { problems, values, rescued } = convertAll(
      contractWith({ bad_values: 'rescue' }),
      ['id', 'amount', 'note'],
      [['one', 'twelve', 'x']],
    );
    expect(problems[0]).toContain('cannot read "one" as int64');
    expect(values.every((c) => c.length === 0)).toBe(true);
    expect(rescued).toEqual({});
  });

  it('makes a bad value a bad row by default', () => {
    const { problems } = convertAll(contractWith({}), ['id', 'amount', 'note'], [['1', 'twelve', 'x']]);
    expect(problems[0]).toContain('cannot read "twelve" as double');
  });

  it('makes a row bad when an unexpected value to rescue is longer than max_field_bytes', () => {
    const contract = contractWith({ unexpected_columns: 'rescue' }, { limits: { max_field_bytes: 5 } });
    const { problems, rescued } = convertAll(
      contract,
      ['id', 'amount', 'note', 'extra'],
      [['1', '2', 'x', 'toolong']],
    );
    expect(problems[0]).toBe('field extra is longer than 5 bytes');
    expect(rescued).toEqual({});
  });
});
