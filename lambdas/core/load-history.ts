/**
 * Load history: every final outcome of a file (completed, rejected, exhausted) as one JSON line
 * under `_load_history/dt=YYYY-MM-DD/` in the bronze bucket, one object per invocation, so the
 * record of what happened to each file is queryable in Athena (table `load_history`) like
 * Snowflake's COPY_HISTORY. `bronze reconcile` reads it back after state loss.
 */
import { randomUUID } from 'node:crypto';
import type { FileOutcome, OutcomeSink } from './engine.js';
import { PARTITION_COLUMN } from './layout.js';
import { filePathFor } from './ledger.js';
import type { Clock, ObjectStore } from './ports.js';

/** The prefix of the history objects in the bronze bucket (Athena reads it; it is no dataset's). */
export const LOAD_HISTORY_PREFIX = '_load_history/';
/** The Glue table of the history. */
export const LOAD_HISTORY_TABLE = 'load_history';

/** The outcomes that end a file's processing; the others are retried or ignored. */
const FINAL: ReadonlySet<FileOutcome['status']> = new Set(['completed', 'rejected', 'exhausted']);

/** The columns of a history record, in order, with their Hive (Glue) types: one list for all readers. */
export const LOAD_HISTORY_COLUMNS = [
  { name: 'dataset', type: 'string' },
  { name: 'file', type: 'string' },
  { name: 'etag', type: 'string' },
  { name: 'version_id', type: 'string' },
  { name: 'file_size', type: 'bigint' },
  { name: 'status', type: 'string' },
  { name: 'rows_ingested', type: 'bigint' },
  { name: 'rows_rejected', type: 'bigint' },
  { name: 'rows_rescued', type: 'bigint' },
  { name: 'bronze_path', type: 'string' },
  { name: 'partition_date', type: 'string' },
  { name: 'error_code', type: 'string' },
  { name: 'error_message', type: 'string' },
  { name: 'first_bad_line', type: 'bigint' },
  { name: 'reason', type: 'string' },
  { name: 'run_id', type: 'string' },
  { name: 'started_at', type: 'string' },
  { name: 'finished_at', type: 'string' },
  { name: 'duration_ms', type: 'bigint' },
] as const;

export type LoadHistoryColumn = (typeof LOAD_HISTORY_COLUMNS)[number]['name'];
/** One line of load history; absent facts are null, so every line has every column. */
export type LoadHistoryRecord = Record<LoadHistoryColumn, string | number | null>;

/** True for the outcomes load history records. */
export function isFinalOutcome(outcome: FileOutcome): boolean {
  return FINAL.has(outcome.status);
}

/** The history record of one final outcome. */
export function loadHistoryRecord(outcome: FileOutcome, bronzeBucket: string): LoadHistoryRecord {
  return {
    dataset: outcome.dataset ?? null,
    file: filePathFor(outcome.bucket, outcome.key),
    etag: outcome.etag ?? null,
    version_id: outcome.versionId ?? null,
    file_size: outcome.bytes ?? null,
    status: outcome.status,
    rows_ingested: outcome.rowsIngested ?? null,
    rows_rejected: outcome.rowsRejected ?? null,
    rows_rescued: outcome.rowsRescued ?? null,
    bronze_path: outcome.bronzeKey ? `s3://${bronzeBucket}/${outcome.bronzeKey}` : null,
    partition_date: outcome.partitionDate ?? null,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    first_bad_line: outcome.error?.line ?? null,
    reason: outcome.reason ?? null,
    run_id: outcome.runId,
    started_at: outcome.startedAt ?? null,
    finished_at: outcome.finishedAt ?? null,
    duration_ms: outcome.durationMs,
  };
}

/** The key of one invocation's history object: dated by when it is written, unique by a random id. */
export function loadHistoryKey(at: Date, id: string): string {
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  return `${LOAD_HISTORY_PREFIX}${PARTITION_COLUMN}=${at.toISOString().slice(0, 10)}/${stamp}-${id}.jsonl`;
}

/** Writes an invocation's final outcomes as one JSON Lines object (one PUT, none when there are none). */
export class LoadHistorySink implements OutcomeSink {
  readonly name = 'load-history';

  constructor(
    private readonly deps: { store: ObjectStore; clock: Clock; bronzeBucket: string; newId?: () => string },
  ) {}

  async publish(outcomes: readonly FileOutcome[]): Promise<void> {
    const lines = outcomes
      .filter(isFinalOutcome)
      .map((o) => `${JSON.stringify(loadHistoryRecord(o, this.deps.bronzeBucket))}\n`);
    if (!lines.length) return;
    const key = loadHistoryKey(this.deps.clock.now(), (this.deps.newId ?? randomUUID)());
    await this.deps.store.put(this.deps.bronzeBucket, key, lines.join(''), {
      contentType: 'application/x-ndjson',
    });
  }
}

/** Parses a history object's text; lines that are not JSON objects are skipped. */
export function parseLoadHistory(text: string): LoadHistoryRecord[] {
  const records: LoadHistoryRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        records.push(parsed as LoadHistoryRecord);
    } catch {
      // A torn or foreign line says nothing reliable about a file.
    }
  }
  return records;
}
