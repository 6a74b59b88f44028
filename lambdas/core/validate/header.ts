import type { Contract } from '../contract.js';
import { DataError, HeaderMismatchError } from '../errors.js';

/** How the columns of a file map onto the contract. */
export interface HeaderMapping {
  /** For each contract column, the index of the source field holding it. */
  readonly sourceIndex: readonly number[];
  /** Number of fields a data record must have. */
  readonly fieldCount: number;
  /** Source columns the contract does not declare (kept out of bronze). */
  readonly extra: readonly string[];
}

function normalizer(contract: Contract): (name: string) => string {
  const { case_sensitive, trim_whitespace } = contract.header;
  return (name) => {
    const trimmed = trim_whitespace ? name.trim() : name;
    return case_sensitive ? trimmed : trimmed.toLowerCase();
  };
}

/**
 * Checks a header record against the contract and reports every problem in one error:
 * missing, unexpected, duplicated and misordered columns.
 */
export function checkHeader(header: readonly string[], contract: Contract): HeaderMapping {
  if (header.length > contract.limits.max_columns) {
    throw new DataError(
      'TOO_MANY_COLUMNS',
      `header has ${header.length} columns, more than the limit of ${contract.limits.max_columns}`,
      { line: 1 },
    );
  }
  const norm = normalizer(contract);
  const seen = new Map<string, number>();
  const duplicated: string[] = [];
  header.forEach((raw, i) => {
    const name = norm(raw);
    if (seen.has(name)) {
      if (!duplicated.includes(raw)) duplicated.push(raw);
    } else seen.set(name, i);
  });
  const expected = contract.columns.map((c) => norm(c.name));
  const expectedSet = new Set(expected);
  const missing = contract.columns.filter((c) => !seen.has(norm(c.name))).map((c) => c.name);
  const extra = header.filter((h) => !expectedSet.has(norm(h)));
  const unexpected = contract.header.extra_columns === 'reject' ? extra : [];
  const misordered: string[] = [];
  if (contract.header.order === 'ordered') {
    // Compare the relative order of the expected columns that are present.
    const present = header.map(norm).filter((n, i) => expectedSet.has(n) && seen.get(n) === i);
    const wanted = expected.filter((n) => seen.has(n));
    present.forEach((n, i) => {
      if (n !== wanted[i]) {
        const col = contract.columns.find((c) => norm(c.name) === n);
        misordered.push(
          col ? `${col.name} (column ${seen.get(n)! + 1}, expected ${expected.indexOf(n) + 1})` : n,
        );
      }
    });
  }
  if (missing.length || unexpected.length || duplicated.length || misordered.length) {
    throw new HeaderMismatchError({ missing, unexpected, duplicated, misordered });
  }
  return { sourceIndex: expected.map((n) => seen.get(n)!), fieldCount: header.length, extra };
}
