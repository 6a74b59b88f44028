import type { Contract } from './contract.js';

/** The bronze column holding, per row, a JSON object of column name to raw text that did not fit. */
export const RESCUED_DATA_COLUMN = '_rescued_data';

/** A contract's schema evolution choices, with the older `header.extra_columns` folded in. */
export interface SchemaEvolution {
  readonly unexpectedColumns: 'reject' | 'ignore' | 'rescue';
  readonly missingColumns: 'reject' | 'null';
  readonly badValues: 'bad_row' | 'rescue';
}

/** The effective schema evolution policy of a contract (`extra_columns: allow` means ignore). */
export function schemaEvolutionOf(contract: Contract): SchemaEvolution {
  const evolution = contract.schema_evolution;
  return {
    unexpectedColumns:
      evolution.unexpected_columns ?? (contract.header.extra_columns === 'allow' ? 'ignore' : 'reject'),
    missingColumns: evolution.missing_columns,
    badValues: evolution.bad_values,
  };
}

/** Whether bronze of this dataset has the `_rescued_data` column. */
export function usesRescue(contract: Contract): boolean {
  const evolution = schemaEvolutionOf(contract);
  return evolution.unexpectedColumns === 'rescue' || evolution.badValues === 'rescue';
}

/** What a file's header and values did under the schema evolution policy, for the ledger and logs. */
export interface SchemaDrift {
  /** Declared columns the file lacks (filled with NULL). */
  readonly columnsMissing: readonly string[];
  /** Columns of the file the contract does not declare (ignored or rescued). */
  readonly columnsUnexpected: readonly string[];
  /** Values kept in `_rescued_data`, by column. */
  readonly valuesRescued: Readonly<Record<string, number>>;
}

/** Whether a drift report says anything. */
export function hasDrift(drift: SchemaDrift | undefined): drift is SchemaDrift {
  return (
    drift !== undefined &&
    (drift.columnsMissing.length > 0 ||
      drift.columnsUnexpected.length > 0 ||
      Object.keys(drift.valuesRescued).length > 0)
  );
}
