import { beforeAll, describe, expect, it } from 'vitest';
import { loadContracts } from '../../lambdas/core/contract.js';
import { fixture } from '../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine } from '../helpers/engine.js';
import { readParquetMetadata } from '../helpers/parquet-read.js';
import { contractFixture, type Synthesized, synthesize } from './synth.js';

/**
 * The Athena type that reads a Parquet column exactly, from what the file says of it: the physical
 * type and the logical type. Written here independently of the stack's own mapping.
 */
function athenaTypeOfParquet(element: {
  type?: string;
  logical_type?: { type: string; precision?: number; scale?: number };
}): string {
  const logical = element.logical_type;
  if (logical?.type === 'DECIMAL') return `decimal(${logical.precision},${logical.scale})`;
  if (logical?.type === 'DATE' && element.type === 'INT32') return 'date';
  if (logical?.type === 'TIMESTAMP' && element.type === 'INT64') return 'timestamp';
  if (logical?.type === 'STRING' && element.type === 'BYTE_ARRAY') return 'string';
  if (logical) return `unexpected ${logical.type}`;
  const plain: Record<string, string> = {
    INT32: 'int',
    INT64: 'bigint',
    DOUBLE: 'double',
    BOOLEAN: 'boolean',
  };
  return plain[element.type ?? ''] ?? `unexpected ${element.type}`;
}

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ props: { datasetsDir: contractFixture('all-types') } });
});

describe('Glue column types', () => {
  it('every contract type has the Glue type of the Parquet column the engine writes for it', async () => {
    const [contract] = loadContracts(contractFixture('all-types'));
    const engine = memoryEngine([contract!]);
    engine.land('typed/a.csv', fixture('csv', 'typed.csv'));
    await engine.ingest('typed/a.csv');
    const bronze = engine.store.get(BUCKETS.bronze, bronzeKeysIn(engine.store, 'typed', 'typed/a.csv')[0]!)!;
    const written = readParquetMetadata(bronze.body)
      .schema.slice(1)
      .map((e) => ({ Name: e.name, Type: athenaTypeOfParquet(e) }));

    const tables = Object.values(s.template.findResources('AWS::Glue::Table'));
    const typed = tables.find((t) => t.Properties.TableInput.Name === 'typed');
    const glue = typed!.Properties.TableInput.StorageDescriptor.Columns.map(
      (c: { Name: string; Type: string }) => ({
        Name: c.Name,
        Type: c.Type,
      }),
    );
    expect(glue).toEqual(written);
    // Every contract type is covered.
    expect(new Set(contract!.columns.map((c) => c.type))).toEqual(
      new Set(['string', 'int32', 'int64', 'double', 'decimal', 'boolean', 'date', 'timestamp']),
    );
  });
});
