import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../../cli/commands/validate.js';
import { ExitCode, UsageError } from '../../../cli/errors.js';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { policyRejection } from '../../../lambdas/core/convert.js';
import { DataError } from '../../../lambdas/core/errors.js';
import { FIXTURES, testContract } from '../../helpers/csv.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const csv = (name: string) => join(FIXTURES, 'csv', name);
const sample = (...path: string[]) => join(ROOT, 'samples', ...path);

const strict = testContract();
const lenient = (name: string, policy: Record<string, unknown>) =>
  testContract({ ingestion_key: name, error_policy: { mode: 'quarantine_rows', ...policy } });
const contracts = [
  strict,
  lenient('up_to_two', { max_bad_rows: 2 }),
  lenient('none_allowed', { max_bad_rows: 0 }),
];
const samples = loadContracts(join(ROOT, 'datasets'));

describe('validate on the CSV fixtures', () => {
  it.each([
    ['quoted-newlines.csv', 3],
    ['crlf.csv', 2],
    ['cr.csv', 2],
    ['bom.csv', 2],
    ['blank-lines.csv', 2],
    ['no-final-newline.csv', 2],
    ['header-only.csv', 0],
  ])('accepts %s with %d data rows and exit 0', async (name, rows) => {
    const report = await validate({ contracts }, { file: csv(name), dataset: 'things' });
    expect(report.data).toMatchObject({
      verdict: 'accepted',
      dataRows: rows,
      badRows: 0,
      rowsIngested: rows,
    });
    expect(report.exitCode).toBe(ExitCode.Ok);
  });

  it("decompresses a .gz file by the contract's compression setting", async () => {
    const report = await validate({ contracts }, { file: csv('plain.csv.gz'), dataset: 'things' });
    expect(report.data).toMatchObject({ gzip: true, verdict: 'accepted' });
  });

  it('lists every bad row with its line even under abort, and gives the abort verdict', async () => {
    const report = await validate({ contracts }, { file: csv('ragged.csv'), dataset: 'things' });
    expect(report.data.problems.map((p) => p.line)).toEqual([3, 5]);
    expect(report.data).toMatchObject({
      verdict: 'rejected',
      dataRows: 5,
      badRows: 2,
      rowsIngested: 0,
      rowsRejected: 5,
      rejection: { code: 'BAD_ROW', line: 3 },
    });
    expect(report.exitCode).toBe(ExitCode.Attention);
    expect(report.text).toMatch(/^\s+3 {2}has 1 fields, expected 2$/m);
  });

  it('sets bad rows aside within a quarantine_rows limit and rejects above it', async () => {
    const within = await validate({ contracts }, { file: csv('ragged.csv'), dataset: 'up_to_two' });
    expect(within.data).toMatchObject({
      verdict: 'accepted_with_rejected_rows',
      rowsIngested: 3,
      rowsRejected: 2,
    });
    expect(within.exitCode).toBe(ExitCode.Attention);
    const over = await validate({ contracts }, { file: csv('ragged.csv'), dataset: 'none_allowed' });
    expect(over.data).toMatchObject({ verdict: 'rejected', rejection: { code: 'TOO_MANY_BAD_ROWS' } });
  });

  it('rejects a file for undecodable bytes, an unterminated quote or no content', async () => {
    const utf8 = await validate({ contracts }, { file: csv('invalid-utf8.csv'), dataset: 'up_to_two' });
    expect(utf8.data).toMatchObject({ verdict: 'rejected', rejection: { line: 3 } });
    const quote = await validate({ contracts }, { file: csv('unterminated-quote.csv'), dataset: 'things' });
    expect(quote.data.verdict).toBe('rejected');
    const empty = await validate({ contracts }, { file: csv('empty.csv'), dataset: 'things' });
    expect(empty.data).toMatchObject({ verdict: 'rejected', rejection: { code: 'EMPTY' } });
  });

  it('limits the listed problems but counts them all', async () => {
    const report = await validate(
      { contracts },
      { file: csv('ragged.csv'), dataset: 'things', maxProblems: 1 },
    );
    expect(report.data).toMatchObject({ badRows: 2, problems: [{ line: 3 }] });
    expect(report.text).toContain('... and 1 more bad rows');
  });

  it('names a file that cannot be read as a usage error', async () => {
    await expect(validate({ contracts }, { file: csv('nope.csv'), dataset: 'things' })).rejects.toThrow(
      UsageError,
    );
  });
});

describe('validate on the samples', () => {
  it.each([
    ['orders', ['orders', '2024-03-01.csv'], 'accepted', 40, 0],
    ['orders', ['orders', '2024-03-03-ragged.csv'], 'accepted_with_rejected_rows', 48, 2],
    ['orders', ['orders', '2024-03-04-too-many-bad.csv'], 'rejected', 0, 30],
    ['orders', ['orders', '2024-03-05-bad-header.csv'], 'rejected', 0, 1],
    ['orders', ['orders', '2024-03-06-header-only.csv'], 'accepted', 0, 0],
    ['orders', ['orders', '2024-03-07-empty.csv'], 'rejected', 0, 0],
    ['orders', ['orders', '2024-03-08-latin1.csv'], 'rejected', 0, 0],
    ['orders', ['partners', 'orders', '2024-03-01-partner.csv.gz'], 'accepted', 25, 0],
    ['customers', ['customers', '2024-03-02-reordered.csv'], 'accepted', 10, 0],
    ['customers', ['customers', '2024-03-03-bad-row.csv'], 'rejected', 0, 20],
  ] as const)(
    '%s %j: %s, rows_ingested %d, rows_rejected %d',
    async (dataset, path, verdict, ingested, rejected) => {
      const report = await validate({ contracts: samples }, { file: sample(...path), dataset });
      expect(report.data).toMatchObject({ verdict, rowsIngested: ingested, rowsRejected: rejected });
      expect(report.exitCode).toBe(verdict === 'accepted' ? ExitCode.Ok : ExitCode.Attention);
    },
  );

  it('reports a bad header column by column', async () => {
    const report = await validate(
      { contracts: samples },
      { file: sample('orders', '2024-03-05-bad-header.csv'), dataset: 'orders' },
    );
    expect(report.data.header).toMatchObject({ missing: ['status'] });
    expect(report.data.rejection).toMatchObject({ code: 'HEADER_MISMATCH', line: 1 });
    expect(report.text).toContain('missing: status');
  });
});

describe('policyRejection', () => {
  const first = new DataError('BAD_ROW', 'line 7: bad', { line: 7 });
  it('accepts a clean file under any policy', () => {
    expect(policyRejection({ mode: 'abort' }, { dataRows: 10, badRows: 0 }, undefined)).toBeUndefined();
  });

  it('rejects any bad row under abort, naming the first', () => {
    expect(policyRejection({ mode: 'abort' }, { dataRows: 10, badRows: 1 }, first)).toBe(first);
  });

  it('applies the percentage limit as "more than"', () => {
    const policy = { mode: 'quarantine_rows', max_bad_rows_percent: 10 } as const;
    expect(policyRejection(policy, { dataRows: 10, badRows: 1 }, first)).toBeUndefined();
    expect(policyRejection(policy, { dataRows: 10, badRows: 2 }, first)).toMatchObject({
      code: 'TOO_MANY_BAD_ROWS',
      line: 7,
      message: '2 of 10 data rows are bad (limit 10%); first: line 7: bad',
    });
  });

  it('says "at least" when counting stopped at the verdict', () => {
    const policy = { mode: 'quarantine_rows', max_bad_rows: 2 } as const;
    expect(policyRejection(policy, { dataRows: 10, badRows: 3, allCounted: false }, first)?.message).toBe(
      'at least 3 of 10 data rows are bad (limit 2 rows); first: line 7: bad',
    );
  });
});
