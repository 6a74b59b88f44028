import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { testContract } from '../../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine } from '../../helpers/engine.js';

/** Bronze bytes of one file ingested under a contract. */
async function bronzeUnder(contract: ReturnType<typeof testContract>, key: string, csv: string) {
  const engine = memoryEngine([contract]);
  engine.land(key, csv);
  expect(await engine.ingest(key)).toMatchObject({ status: 'completed' });
  return engine.store.get(BUCKETS.bronze, bronzeKeysIn(engine.store, 'things', key)[0]!)!.body;
}

describe('bronze written before a contract adds a nullable column', () => {
  it('reads NULL for the new column through DuckDB union_by_name over an old and a new file', async () => {
    const before = testContract({ columns: [{ name: 'id', type: 'int64' }, { name: 'name' }] });
    const after = testContract({
      columns: [{ name: 'id', type: 'int64' }, { name: 'name' }, { name: 'amount', type: 'double' }],
    });
    const old = await bronzeUnder(before, 'things/old.csv', 'id,name\n1,a\n');
    const added = await bronzeUnder(after, 'things/new.csv', 'id,name,amount\n2,b,2.5\n');
    const dir = await mkdtemp(join(tmpdir(), 'union-'));
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await db.connect();
    try {
      await writeFile(join(dir, 'old.parquet'), old);
      await writeFile(join(dir, 'new.parquet'), added);
      const reader = await connection.runAndReadAll(
        `SELECT id, name, amount FROM read_parquet(['${dir}/old.parquet', '${dir}/new.parquet'], union_by_name = true) ORDER BY id`,
      );
      expect(reader.getRowObjectsJS()).toEqual([
        { id: 1n, name: 'a', amount: null },
        { id: 2n, name: 'b', amount: 2.5 },
      ]);
    } finally {
      connection.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
