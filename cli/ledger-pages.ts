/** Walks every page of a ledger listing (a Query, never a Scan). */
import type { FileStatus, Ledger, LedgerItem } from '../lambdas/core/ledger.js';

const PAGE = 500;

/** All of a dataset's file items, optionally of one status, page by page. */
export async function* ledgerPages(
  ledger: Ledger,
  dataset: string,
  status?: FileStatus,
): AsyncGenerator<LedgerItem[]> {
  let cursor: string | undefined;
  do {
    const page = await ledger.listFiles(dataset, {
      limit: PAGE,
      ...(status ? { status } : {}),
      ...(cursor ? { cursor } : {}),
    });
    yield page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** All of a dataset's file items, optionally of one status. */
export async function allLedgerFiles(
  ledger: Ledger,
  dataset: string,
  status?: FileStatus,
): Promise<LedgerItem[]> {
  const items: LedgerItem[] = [];
  for await (const page of ledgerPages(ledger, dataset, status)) items.push(...page);
  return items;
}
