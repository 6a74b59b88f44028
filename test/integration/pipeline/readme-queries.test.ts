/**
 * The SQL shown in README.md ("Querying bronze in Athena"), extracted from the README text and
 * executed by DuckDB over the bronze and load history the local stack wrote for the samples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContracts } from '../../../lambdas/core/contract.js';
import { openBronzeSql } from '../../../local/bronze-sql.js';
import { sampleFiles } from '../../../local/samples.js';
import { usePipeline } from '../../helpers/local-pipeline.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const pipeline = usePipeline();

/** The ```sql blocks of the README section about querying bronze, in order. */
function readmeQueries(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Querying bronze in Athena')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('the README queries', () => {
  it('run as written over the local stack, each answering its question', async () => {
    const queries = readmeQueries();
    expect(queries).toHaveLength(3);
    const p = pipeline();
    for (const sample of sampleFiles()) await p.land(sample.key, readFileSync(sample.path));
    await p.settle();
    const sql = await openBronzeSql(
      p.s3,
      p.stack.outputs.BronzeBucketName,
      loadContracts(join(ROOT, 'datasets')),
    );
    try {
      const [oneDay, latest, rejected] = await Promise.all(queries.map((q) => sql.query(q)));
      expect(oneDay!.length).toBeGreaterThan(0);
      expect(new Set(oneDay!.map((r) => r._source_file))).toEqual(
        new Set(
          ['orders/2024-03-01.csv', 'partners/orders/2024-03-01-partner.csv.gz'].map(
            (key) => `s3://${p.stack.outputs.LandingBucketName}/${key}`,
          ),
        ),
      );
      expect(latest).toEqual([expect.objectContaining({ order_id: 1001n, customer_id: 'C007' })]);
      const files = rejected!.map((r) => String(r.file).split('/').slice(3).join('/')).sort();
      expect(files).toEqual([
        'customers/2024-03-03-bad-row.csv',
        'orders/2024-03-04-too-many-bad.csv',
        'orders/2024-03-05-bad-header.csv',
        'orders/2024-03-07-empty.csv',
        'orders/2024-03-08-latin1.csv',
      ]);
      for (const r of rejected!) expect(String(r.error_code)).not.toBe('');
    } finally {
      await sql.close();
    }
  });
});
