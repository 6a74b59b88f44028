import { describe, expect, it } from 'vitest';
import { bronzeColumns } from '../../lambdas/core/convert.js';
import { glueColumnsFor } from '../../lib/constructs/bronze-catalog.js';
import { testContract } from '../helpers/csv.js';

describe('_rescued_data in the catalog', () => {
  it.each([
    ['a dataset that rescues bad values', { bad_values: 'rescue' }, true],
    ['a dataset that rescues unexpected columns', { unexpected_columns: 'rescue' }, true],
    [
      'a dataset that ignores and NULL-fills',
      { unexpected_columns: 'ignore', missing_columns: 'null' },
      false,
    ],
  ])('%s: the Glue columns name the bronze Parquet columns in order', (_, schema_evolution, rescues) => {
    const contract = testContract({ schema_evolution });
    const glue = glueColumnsFor(contract).map((c) => c.name);
    expect(glue).toEqual(bronzeColumns(contract).map((c) => c.name.toLowerCase()));
    expect(glue.includes('_rescued_data')).toBe(rescues);
    if (rescues)
      expect(glueColumnsFor(contract).find((c) => c.name === '_rescued_data')?.type).toBe('string');
  });
});
