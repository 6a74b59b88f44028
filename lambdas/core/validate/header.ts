import type { Contract } from '../contract.js';
import { DataError, HeaderMismatchError } from '../errors.js';
import { schemaEvolutionOf } from '../schema-evolution.js';

/** How the columns of a file map onto the contract. */
export interface HeaderMapping {
  /** For each contract column, the index of the source field holding it; -1 when it is NULL-filled. */
  readonly sourceIndex: readonly number[];
  /** Number of fields a data record must have. */
  readonly fieldCount: number;
  /** Source columns the contract does not declare (kept out of bronze, or rescued). */
  readonly extra: readonly string[];
  /** Source indexes of the `extra` columns, in the same order. */
  readonly extraIndex: readonly number[];
  /** Declared columns the file lacks, NULL in bronze (`missing_columns: null`). */
  readonly missing: readonly string[];
}

/** A mapping that maps nothing, for a header that was rejected (rows are only counted). */
export function unmappedHeader(fieldCount: number): HeaderMapping {
  return { sourceIndex: [], fieldCount, extra: [], extraIndex: [], missing: [] };
}

function normalizer(contract: Contract): (name: string) => string {
  const { case_sensitive, trim_whitespace } = contract.header;
  return (name) => {
    const trimmed = trim_whitespace ? name.trim() : name;
    return case_sensitive ? trimmed : trimmed.toLowerCase();
  };
}

/** The last header each contract accepted, and its mapping: a source's files mostly repeat one header. */
const lastAccepted = new WeakMap<
  Contract,
  { readonly header: readonly string[]; readonly mapping: HeaderMapping }
>();

/** checkHeader, answered from the contract's last accepted header when this one is the same. */
export function checkHeaderRemembered(header: readonly string[], contract: Contract): HeaderMapping {
  const last = lastAccepted.get(contract);
  if (last && sameNames(last.header, header)) return last.mapping;
  const mapping = checkHeader(header, contract);
  lastAccepted.set(contract, { header: [...header], mapping });
  return mapping;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  const evolution = schemaEvolutionOf(contract);
  const absent = contract.columns.filter((c) => !seen.has(norm(c.name)));
  // Under `missing_columns: null` only a nullable column may be absent.
  const nullFilled = absent.filter((c) => evolution.missingColumns === 'null' && c.nullable);
  const missing = absent.filter((c) => !nullFilled.includes(c)).map((c) => c.name);
  const extraIndex = header.flatMap((h, i) => (expectedSet.has(norm(h)) ? [] : [i]));
  const extra = extraIndex.map((i) => header[i]!);
  const unexpected = evolution.unexpectedColumns === 'reject' ? extra : [];
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
  return {
    sourceIndex: expected.map((n) => seen.get(n) ?? -1),
    fieldCount: header.length,
    extra,
    extraIndex,
    missing: nullFilled.map((c) => c.name),
  };
}
