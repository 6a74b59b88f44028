import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contractJsonSchema,
  loadContracts,
  parseContract,
  resolveDataset,
} from '../../../lambdas/core/contract.js';
import { ContractError } from '../../../lambdas/core/errors.js';

const minimal = { ingestion_key: 'things', sources: [{ prefix: 'things/' }], columns: [{ name: 'id' }] };

describe('dataset contracts', () => {
  it('fills safe defaults for everything a minimal contract leaves out', () => {
    expect(parseContract(minimal, 'things.json')).toMatchObject({
      sources: [{ bucket: 'landing', prefix: 'things/', suffix: '.csv' }],
      columns: [{ name: 'id', type: 'string', nullable: true }],
      header: { order: 'ordered', extra_columns: 'reject', case_sensitive: false, trim_whitespace: true },
      delimiter: ',',
      compression: 'auto',
      error_policy: { mode: 'abort' },
      limits: { max_field_bytes: 1_048_576, max_record_bytes: 4_194_304, max_columns: 1_000 },
      bronze: { row_group_rows: 50_000, compression: 'snappy' },
    });
  });

  it.each([
    [{ ...minimal, columns: [] }, 'columns'],
    [{ ...minimal, delimiter: ';;' }, 'delimiter'],
    [{ ...minimal, delimiter: '§' }, 'delimiter'],
    [{ ...minimal, quote_char: '«' }, 'quote_char'],
    [{ ...minimal, error_policy: { mode: 'quarantine_rows' } }, 'error_policy'],
    [{ ...minimal, columns: [{ name: 'id' }, { name: 'ID' }] }, 'columns.1.name'],
    [{ ...minimal, columns: [{ name: '_source_file' }] }, 'columns.0.name'],
    [{ ...minimal, primary_key: ['nope'] }, 'primary_key.0'],
    [{ ...minimal, ingestion_key: 'Bad-Name' }, 'ingestion_key'],
    [{ ...minimal, colums: [] }, '(root)'],
    [{ ...minimal, columns: [{ name: 'a', type: 'decimal', scale: 2 }] }, 'columns.0.precision'],
    [{ ...minimal, columns: [{ name: 'a', type: 'decimal', precision: 10 }] }, 'columns.0.scale'],
    [
      { ...minimal, columns: [{ name: 'a', type: 'decimal', precision: 39, scale: 0 }] },
      'columns.0.precision',
    ],
    [{ ...minimal, columns: [{ name: 'a', type: 'decimal', precision: 4, scale: 5 }] }, 'columns.0.scale'],
    [{ ...minimal, columns: [{ name: 'a', type: 'int64', precision: 4 }] }, 'columns.0.precision'],
    [{ ...minimal, columns: [{ name: 'a', type: 'date', format: 'dd/MM/yyyy HH:mm' }] }, 'columns.0.format'],
    [{ ...minimal, columns: [{ name: 'a', type: 'date', format: 'epoch_seconds' }] }, 'columns.0.format'],
    [
      { ...minimal, columns: [{ name: 'a', type: 'timestamp', format: 'yyyy-MM-ddTHH' }] },
      'columns.0.format',
    ],
    [{ ...minimal, columns: [{ name: 'a', type: 'timestamp', format: 'MM/yyyy' }] }, 'columns.0.format'],
    [{ ...minimal, columns: [{ name: 'a', type: 'timestamp', format: 'Mdyyyy' }] }, 'columns.0.format'],
    [
      { ...minimal, columns: [{ name: 'a', type: 'timestamp', timezone: 'Mars/Olympus' }] },
      'columns.0.timezone',
    ],
    [{ ...minimal, columns: [{ name: 'a', type: 'string', timezone: 'UTC' }] }, 'columns.0.timezone'],
    [
      { ...minimal, columns: [{ name: 'a', type: 'boolean', true_values: ['x'], false_values: ['X'] }] },
      'columns.0.false_values',
    ],
    [{ ...minimal, null_values: 'NULL' }, 'null_values'],
  ])('rejects %j naming the field %s', (raw, field) => {
    expect(() => parseContract(raw, 'things.json')).toThrow(
      new RegExp(`things\\.json: .*${field.replace(/[().]/g, '\\$&')}`),
    );
  });

  it('names the field and the problem of a bad date format', () => {
    const raw = { ...minimal, columns: [{ name: 'a', type: 'timestamp', format: 'yyyy-MM-dd hh:mm' }] };
    expect(() => parseContract(raw, 'things.json')).toThrow(
      'columns.0.format: invalid timestamp format "yyyy-MM-dd hh:mm": unknown pattern letter "h" at position 12',
    );
  });

  it('accepts every type with its options', () => {
    const columns = [
      { name: 'a', type: 'int32' },
      { name: 'b', type: 'decimal', precision: 38, scale: 38 },
      { name: 'c', type: 'date', format: 'dd/MM/yyyy', null_values: ['00/00/0000'] },
      { name: 'd', type: 'timestamp', format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", timezone: 'Europe/Paris' },
      { name: 'e', type: 'timestamp', format: 'epoch_millis' },
      { name: 'f', type: 'boolean', true_values: ['J'], false_values: ['N'], case_sensitive: true },
    ];
    const contract = parseContract({ ...minimal, columns, null_values: ['', 'NULL'] }, 'things.json');
    expect(contract.columns.map((c) => c.type)).toEqual([
      'int32',
      'decimal',
      'date',
      'timestamp',
      'timestamp',
      'boolean',
    ]);
    expect(contract.null_values).toEqual(['', 'NULL']);
  });

  it('requires the file name to match the ingestion key', () => {
    expect(() => parseContract(minimal, 'datasets/other.json')).toThrow(ContractError);
  });

  it('loads every shipped contract', () => {
    expect(loadContracts('datasets').map((c) => c.ingestion_key)).toEqual(['customers', 'orders']);
  });

  it('names the file when a contract is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    expect(() => loadContracts(dir)).toThrow(/broken\.json: not valid JSON/);
  });

  it('resolves an object to the dataset whose source prefix and suffix match', () => {
    const contracts = loadContracts('datasets');
    expect(
      resolveDataset(contracts, 'land', 'land', 'partners/orders/x.csv.gz')?.contract.ingestion_key,
    ).toBe('orders');
    expect(resolveDataset(contracts, 'land', 'land', 'partners/orders/x.csv')).toBeUndefined();
    expect(resolveDataset(contracts, 'land', 'other', 'orders/x.csv')).toBeUndefined();
  });

  it('ships a JSON Schema for editors that matches the zod schema', () => {
    expect(JSON.parse(readFileSync('datasets/contract.schema.json', 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(contractJsonSchema())),
    );
  });
});
