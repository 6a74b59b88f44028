/** Checks shared by the pipeline scenarios: a completed ledger item and its one bronze object agree. */
import { expect } from 'vitest';
import { FileStatus, type LedgerItem } from '../../lambdas/core/ledger.js';
import type { Pipeline } from './local-pipeline.js';

/**
 * The file is completed for this ETag with this many rows, it has exactly one bronze object, and
 * every bronze row carries the file's lineage. Returns the item and the rows.
 */
export async function expectIngested(
  pipeline: Pipeline,
  dataset: string,
  key: string,
  expected: { etag: string; rows: number; rejected?: number },
): Promise<{ item: LedgerItem; rows: Record<string, unknown>[] }> {
  const item = await pipeline.item(dataset, key);
  expect(item, `ledger item of ${key}`).toBeDefined();
  expect(item).toMatchObject({
    status: FileStatus.Completed,
    file_etag: expected.etag,
    rows_ingested: expected.rows,
    rows_rejected: expected.rejected ?? 0,
  });
  const bronze = await pipeline.bronze(dataset, key);
  expect(bronze.keys, `bronze objects of ${key}`).toHaveLength(1);
  expect(item!.bronze_path).toBe(`s3://${pipeline.stack.outputs.BronzeBucketName}/${bronze.keys[0]}`);
  expect(bronze.rows).toHaveLength(expected.rows);
  const sourceFile = `s3://${pipeline.stack.outputs.LandingBucketName}/${key}`;
  // One plain pass: a matcher per row is far too slow for the large-file scenario.
  const lines = new Set<number>();
  let wrongLineage = 0;
  for (const row of bronze.rows) {
    const line = Number(row._source_row);
    lines.add(line);
    const ok =
      row._source_file === sourceFile &&
      row._source_etag === expected.etag &&
      row._run_id === item!.run_id &&
      row._ingested_at !== undefined &&
      row._ingested_at !== null &&
      line >= 2;
    if (!ok) wrongLineage++;
  }
  expect(wrongLineage, `rows of ${key} without its lineage`).toBe(0);
  expect(lines.size, 'distinct source lines').toBe(bronze.rows.length);
  return { item: item!, rows: bronze.rows };
}

/** The file is rejected for this ETag with this error code and has no bronze object. */
export async function expectRejected(
  pipeline: Pipeline,
  dataset: string,
  key: string,
  expected: { etag: string; code: string },
): Promise<LedgerItem> {
  const item = await pipeline.item(dataset, key);
  expect(item).toMatchObject({
    status: FileStatus.Rejected,
    file_etag: expected.etag,
    error: { code: expected.code },
  });
  expect((await pipeline.bronze(dataset, key)).keys).toEqual([]);
  return item!;
}
