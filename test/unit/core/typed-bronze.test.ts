import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { quarantineKeysFor } from '../../../lambdas/core/layout.js';
import { FIXTURES, fixture } from '../../helpers/csv.js';
import { BUCKETS, bronzeKeysIn, memoryEngine } from '../../helpers/engine.js';
import { queryParquetWithDuckDb } from '../../helpers/parquet-read.js';

const [typed] = loadContracts(join(FIXTURES, 'contracts', 'all-types'));

/** Ingests test/fixtures/csv/typed.csv under the all-types contract. */
async function ingestTyped() {
  const engine = memoryEngine([typed!]);
  engine.land('typed/a.csv', fixture('csv', 'typed.csv'));
  const outcome = await engine.ingest('typed/a.csv');
  const bronze = engine.store.get(BUCKETS.bronze, bronzeKeysIn(engine.store, 'typed', 'typed/a.csv')[0]!)!;
  const quarantine = engine.store.get(
    BUCKETS.quarantine,
    quarantineKeysFor('typed', 'landing', 'typed/a.csv').rows,
  );
  return {
    outcome,
    bronze: bronze.body,
    badRows: quarantine?.body
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

describe('typed columns from CSV to bronze', () => {
  it('stores every type at its edges, formats, zones and NULL markers as DuckDB reads them', async () => {
    const { outcome, bronze } = await ingestTyped();
    expect(outcome).toMatchObject({ status: 'completed', rowsIngested: 4, rowsRejected: 2 });
    const rows = await queryParquetWithDuckDb(
      bronze,
      `SELECT s, i32, i64, f, CAST(d9 AS VARCHAR) AS d9, CAST(d18 AS VARCHAR) AS d18, CAST(d38 AS VARCHAR) AS d38,
        b, CAST("day" AS VARCHAR) AS "day", epoch_us("at") AS "at", epoch_us("epoch") AS "epoch" FROM parquet ORDER BY _source_row`,
    );
    const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
    expect(rows).toEqual([
      {
        s: 'a',
        i32: 2147483647,
        i64: -(2n ** 63n),
        f: 1.5,
        d9: '-9999999.99',
        d18: '999999999999999999',
        d38: '-99999999999999999999999999999999.999999',
        b: true,
        day: '1970-01-01',
        // The last second of standard time before New York's spring-forward.
        at: us('2024-03-10T06:59:59Z'),
        epoch: 0n,
      },
      {
        s: null,
        i32: -2147483648,
        i64: 2n ** 63n - 1n,
        f: null,
        d9: '0.00',
        d18: '-1',
        d38: '0.000001',
        b: false,
        day: '9999-12-31',
        at: us('2024-03-10T07:00:00Z'),
        epoch: -1000n,
      },
      {
        s: '',
        i32: null,
        i64: null,
        f: null,
        d9: null,
        d18: null,
        d38: null,
        b: null,
        day: null,
        at: null,
        epoch: null,
      },
      {
        s: null,
        i32: 0,
        i64: 0n,
        f: 0,
        d9: '0.10',
        d18: '0',
        d38: '0.000001',
        b: false,
        day: '1969-12-31',
        // The repeated hour of the fall-back reads as its first (daylight) instance.
        at: us('2024-11-03T05:30:00Z'),
        epoch: us('2024-03-05T14:30:15.250Z'),
      },
    ]);
  });

  it('sets aside a bad value naming the column, the line and the value, and why', async () => {
    const { badRows } = await ingestTyped();
    expect(badRows?.map((r) => [r.line, r.reason])).toEqual([
      [
        6,
        'field d9: cannot read "0.001" as decimal(9,2): has 3 digits after the point, more than the scale 2',
      ],
      [7, 'field day: cannot read "30/02/2024" as date (dd/MM/yyyy): is not a calendar date'],
    ]);
  });
});
