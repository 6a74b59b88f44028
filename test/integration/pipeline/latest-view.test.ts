/**
 * The latest view's generated SQL, run by DuckDB over bronze the local stack wrote, on the
 * background seed-002 scenario: a base month, then a forward file, then a backfill correction
 * for earlier months (arriving after the forward data), with a record repeated in both files,
 * a stale correction that arrives last and a deletion.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { openBronzeSql } from '../../../local/bronze-sql.js';
import { usePipeline } from '../../helpers/local-pipeline.js';
import { contractFixture, PROJECT_ROOT } from '../../infra/synth.js';

const DATASETS = contractFixture('accounts');
const pipeline = usePipeline({ datasetsDir: DATASETS });
const csv = (name: string) => readFileSync(join(PROJECT_ROOT, 'test/fixtures/csv/accounts', name));

describe('accounts_latest over bronze ingested in arrival order', () => {
  it('returns one row per account and month, with the greatest base_ts, whatever order files came in', async () => {
    const p = pipeline();
    for (const name of ['2025-12-base.csv', '2026-01-forward.csv', '2026-01-backfill.csv']) {
      await p.land(`accounts/${name}`, csv(name));
      await p.settle();
      expect((await p.item('accounts', `accounts/${name}`))?.status).toBe('completed');
    }
    const sql = await openBronzeSql(p.s3, p.stack.outputs.BronzeBucketName, loadContracts(DATASETS));
    try {
      const rows = await sql.query(
        'SELECT cons_acct_key, rpt_as_of_mo, balance, dt FROM accounts_latest ORDER BY cons_acct_key, rpt_as_of_mo',
      );
      expect(rows.map((r) => [Number(r.cons_acct_key), r.rpt_as_of_mo, r.balance, r.dt])).toEqual([
        [1, '2025-10', 10000, '2025-12-01'],
        [1, '2025-11', 10700, '2026-01-01'],
        // The correction stamped 2025-12-01 arrived last but is older than the base row.
        [1, '2025-12', 10800, '2025-12-01'],
        [1, '2026-01', 11000, '2026-01-01'],
        [2, '2025-10', 5300, '2026-01-01'],
        [2, '2025-11', 5500, '2025-12-01'],
        [2, '2025-12', 5800, '2025-12-01'],
        // In both the forward and the backfill file: one row.
        [2, '2026-01', 6000, '2026-01-01'],
        // 9999 was deleted by its newest row.
      ]);
      const [raw] = await sql.query('SELECT count(*) AS n FROM accounts');
      expect(Number(raw!.n)).toBe(14);
      const history = await sql.query(
        "SELECT file, status, rows_ingested, partition_date FROM load_history WHERE dataset = 'accounts' ORDER BY file",
      );
      expect(history.map((h) => [h.file, h.status, Number(h.rows_ingested), h.partition_date])).toEqual([
        [`s3://${p.stack.outputs.LandingBucketName}/accounts/2025-12-base.csv`, 'completed', 6, '2025-12-01'],
        [
          `s3://${p.stack.outputs.LandingBucketName}/accounts/2026-01-backfill.csv`,
          'completed',
          5,
          '2026-01-01',
        ],
        [
          `s3://${p.stack.outputs.LandingBucketName}/accounts/2026-01-forward.csv`,
          'completed',
          3,
          '2026-01-01',
        ],
      ]);
    } finally {
      await sql.close();
    }
  });
});
