import { describe, expect, it } from 'vitest';
import { parseContract } from '../../../lambdas/core/contract.js';
import { latestViewFor, prestoTypeOf, prestoViewText } from '../../../lib/latest-view.js';

const base = {
  ingestion_key: 'things',
  sources: [{ prefix: 'things/' }],
  columns: [{ name: 'id' }, { name: 'Updated_At', type: 'timestamp' }, { name: 'state' }],
};

describe('latest_by and deleted_when in the contract', () => {
  it('need a primary key and name declared columns', () => {
    expect(() => parseContract({ ...base, latest_by: 'updated_at' }, 'things')).toThrow(
      /latest_by: needs primary_key/,
    );
    expect(() => parseContract({ ...base, primary_key: ['id'], latest_by: 'nope' }, 'things')).toThrow(
      /latest_by: "nope" is not a declared column/,
    );
    expect(() =>
      parseContract({ ...base, primary_key: ['id'], deleted_when: { column: 'gone', value: 'x' } }, 'things'),
    ).toThrow(/deleted_when\.column: "gone" is not a declared column/);
  });
});

describe('latestViewFor', () => {
  it('orders by the latest_by column in lower case, quotes values and escapes quotes', () => {
    const contract = parseContract(
      {
        ...base,
        primary_key: ['id'],
        latest_by: 'Updated_At',
        deleted_when: { column: 'state', value: "it's gone" },
      },
      'things',
    );
    const view = latestViewFor(contract)!;
    expect(view.name).toBe('things_latest');
    expect(view.sql).toContain(
      'ORDER BY "updated_at" DESC NULLS LAST, "_ingested_at" DESC, "_source_row" DESC',
    );
    expect(view.sql).toContain(`("state" IS NULL OR "state" <> 'it''s gone')`);
  });

  it('without latest_by, the latest ingest wins', () => {
    const view = latestViewFor(parseContract({ ...base, primary_key: ['id'] }, 'things'))!;
    expect(view.sql).toContain('ORDER BY "_ingested_at" DESC, "_source_row" DESC');
    expect(view.sql).not.toContain('IS NULL OR');
  });

  it('encodes the Presto view text with Presto types, decimals included, and refuses unknown types', () => {
    const view = latestViewFor(parseContract({ ...base, primary_key: ['id'] }, 'things'))!;
    const text = prestoViewText(view, 'db');
    const json = JSON.parse(Buffer.from(/Presto View: (\S+) \*\//.exec(text)![1]!, 'base64').toString());
    expect(json).toMatchObject({ catalog: 'awsdatacatalog', schema: 'db', originalSql: view.sql });
    expect(prestoTypeOf('decimal(12, 2)')).toBe('decimal(12,2)');
    expect(prestoTypeOf('int')).toBe('integer');
    expect(() => prestoTypeOf('map<string,string>')).toThrow(/no Athena view type/);
  });
});
