/** What is measured on each CSV: our engine and DuckDB per contract, and the raw-read ceiling. */
import type { Contract } from '../lambdas/core/contract.js';
import type { BenchOptions, ContractName } from './args.js';

export type PathKind = 'engine' | 'duckdb' | 'polars' | 'parse' | 'raw';

export interface Case {
  readonly id: string;
  readonly label: string;
  readonly kind: PathKind;
  readonly contract?: ContractName;
  /** Node flags of the child (engine variants only). */
  readonly nodeFlags?: readonly string[];
  /** The `node` executable of the child, when not the bench's own (engine on Lambda's Node). */
  readonly node?: string;
}

/** The cases on each file: both contracts (or those named) at every size, then the diagnostics. */
export function casesFor(
  options: Pick<BenchOptions, 'contracts' | 'variantFlags'>,
  /** Where nodejs-polars is installed (bench/peers.ts); no polars row without it. */
  polars?: string,
  /** Lambda's Node.js (bench/peers.ts); no row of the engine on it without it. */
  lambdaNode?: { readonly path: string; readonly version: string },
): Case[] {
  const cases: Case[] = [];
  const variantFlags = options.variantFlags;
  for (const contract of options.contracts) {
    cases.push({ id: `engine-${contract}`, label: 'bronze engine', kind: 'engine', contract });
    if (lambdaNode) {
      cases.push({
        id: `engine-${contract}-lambda-node`,
        label: `bronze engine, Node ${lambdaNode.version} (Lambda's)`,
        kind: 'engine',
        contract,
        node: lambdaNode.path,
      });
    }
    if (contract === 'text' && variantFlags?.length) {
      cases.push({
        id: 'engine-text-variant',
        label: `bronze engine ${variantFlags.join(' ')}`,
        kind: 'engine',
        contract,
        nodeFlags: variantFlags,
      });
    }
    cases.push({
      id: `duckdb-${contract}`,
      label: contract === 'text' ? 'DuckDB all_varchar' : 'DuckDB typed columns',
      kind: 'duckdb',
      contract,
    });
    // polars as a peer on the text contract: every column as text, as all_varchar.
    if (polars && contract === 'text')
      cases.push({ id: 'polars-text', label: 'polars, 1 thread, streaming', kind: 'polars', contract });
  }
  // Contract-free diagnostics, shown with the headline: our parse stage alone, and the raw read.
  cases.push({ id: 'parse', label: 'engine parse stage only', kind: 'parse' });
  cases.push({ id: 'raw', label: 'raw read + \\n count', kind: 'raw' });
  return cases;
}

/** The DuckDB type of a contract column, the type bronze stores. */
function duckdbType(column: Contract['columns'][number]): string {
  switch (column.type) {
    case 'string':
      return 'VARCHAR';
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${column.precision},${column.scale})`;
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
  }
}

/** DuckDB's `columns` argument for a contract: the same types, or `all_varchar` for an all-text one. */
export function duckdbColumns(contract: Contract): string {
  if (contract.columns.every((c) => c.type === 'string')) return 'all_varchar';
  return JSON.stringify(Object.fromEntries(contract.columns.map((c) => [c.name, duckdbType(c)])));
}
