import { describe, expect, it } from 'vitest';
import { DataError, HeaderMismatchError } from '../../../lambdas/core/errors.js';
import { checkHeader, checkHeaderRemembered } from '../../../lambdas/core/validate/header.js';
import { testContract } from '../../helpers/csv.js';

const threeColumns = { columns: [{ name: 'id' }, { name: 'name' }, { name: 'email' }] };

function mismatch(header: string[], overrides: Record<string, unknown> = {}): HeaderMismatchError {
  try {
    checkHeader(header, testContract({ ...threeColumns, ...overrides }));
  } catch (e) {
    if (e instanceof HeaderMismatchError) return e;
    throw e;
  }
  throw new Error('expected a header mismatch');
}

describe('checkHeader', () => {
  it('maps an exact header onto the contract columns', () => {
    expect(checkHeader(['id', 'name', 'email'], testContract(threeColumns))).toEqual({
      sourceIndex: [0, 1, 2],
      fieldCount: 3,
      extra: [],
      extraIndex: [],
      missing: [],
    });
  });

  it('ignores case and surrounding whitespace by default', () => {
    expect(checkHeader([' ID', 'Name ', 'EMAIL'], testContract(threeColumns)).sourceIndex).toEqual([0, 1, 2]);
  });

  it('honours a case-sensitive policy', () => {
    const e = mismatch(['ID', 'name', 'email'], { header: { case_sensitive: true } });
    expect(e.missing).toEqual(['id']);
    expect(e.unexpected).toEqual(['ID']);
  });

  it('names missing columns', () => {
    const e = mismatch(['id', 'email']);
    expect(e.missing).toEqual(['name']);
    expect(e.message).toContain('missing: name');
  });

  it('names unexpected columns when extras are rejected', () => {
    expect(mismatch(['id', 'name', 'email', 'phone']).unexpected).toEqual(['phone']);
  });

  it('keeps extra columns out of bronze when extras are allowed', () => {
    const mapping = checkHeader(
      ['phone', 'id', 'name', 'email'],
      testContract({ ...threeColumns, header: { extra_columns: 'allow' } }),
    );
    expect(mapping).toEqual({
      sourceIndex: [1, 2, 3],
      fieldCount: 4,
      extra: ['phone'],
      extraIndex: [0],
      missing: [],
    });
  });

  it('names duplicated columns', () => {
    expect(mismatch(['id', 'name', 'email', 'name']).duplicated).toEqual(['name']);
  });

  it('names misordered columns under the ordered policy', () => {
    const e = mismatch(['id', 'email', 'name']);
    expect(e.misordered).toEqual(['email (column 2, expected 3)', 'name (column 3, expected 2)']);
  });

  it('accepts any order under the any_order policy', () => {
    expect(
      checkHeader(['email', 'id', 'name'], testContract({ ...threeColumns, header: { order: 'any_order' } }))
        .sourceIndex,
    ).toEqual([1, 2, 0]);
  });

  it('reports every kind of problem in one message', () => {
    const e = mismatch(['name', 'id', 'id', 'phone']);
    expect(e.message).toBe(
      'header does not match the contract (missing: email; unexpected: phone; duplicated: id; misordered: name (column 1, expected 2), id (column 2, expected 1))',
    );
    expect(e).toMatchObject({ code: 'HEADER_MISMATCH', line: 1 });
  });

  it('rejects a header wider than the column limit', () => {
    const wide = Array.from({ length: 11 }, (_, i) => `c${i}`);
    expect(() => checkHeader(wide, testContract({ limits: { max_columns: 10 } }))).toThrow(DataError);
  });
});

describe('checkHeaderRemembered', () => {
  it('answers a repeated header from memory, and checks any other header afresh', () => {
    const contract = testContract({ ...threeColumns, schema_evolution: { unexpected_columns: 'ignore' } });
    const first = checkHeaderRemembered(['id', 'name', 'email'], contract);
    expect(checkHeaderRemembered(['id', 'name', 'email'], contract)).toBe(first);
    // Same characters joined, different names: not the remembered header.
    const split = checkHeaderRemembered(['id', 'name', 'email', 'a\u0000', 'b'], contract);
    const joined = checkHeaderRemembered(['id', 'name', 'email', 'a', '\u0000b'], contract);
    expect(split.extra).toEqual(['a\u0000', 'b']);
    expect(joined.extra).toEqual(['a', '\u0000b']);
    expect(() => checkHeaderRemembered(['id', 'email'], contract)).toThrow(HeaderMismatchError);
    expect(() => checkHeaderRemembered(['id', 'email'], contract)).toThrow(HeaderMismatchError);
  });
});
