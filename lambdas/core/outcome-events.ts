import type { FileOutcome, OutcomeSink } from './engine.js';
import { filePathFor } from './ledger.js';

/** The `source` of every outcome event. */
export const OUTCOME_EVENT_SOURCE = 'bronze-ingest';

/** Version of the detail below: bumped only when a field changes meaning or goes away. */
export const OUTCOME_DETAIL_VERSION = '1';

/** Detail-type of each final outcome; the other statuses are not final and publish nothing. */
export const OUTCOME_DETAIL_TYPES = {
  completed: 'Bronze File Completed',
  rejected: 'Bronze File Rejected',
  exhausted: 'Bronze File Exhausted',
} as const;

export type FinalStatus = keyof typeof OUTCOME_DETAIL_TYPES;

/** Longest error message carried in an event: an event (all of it) must stay under 256 KB. */
const MAX_MESSAGE_CHARS = 2_000;

/**
 * The `detail` of an outcome event, version 1. Fields are added, never renamed or removed,
 * within a version; absent facts are `null`, so a rule or a state machine can always read them.
 */
export interface OutcomeEventDetail {
  readonly version: typeof OUTCOME_DETAIL_VERSION;
  readonly status: FinalStatus;
  /** The dataset's ingestion_key. */
  readonly dataset: string;
  /** `s3://bucket/key` of the source file. */
  readonly file: string;
  readonly bucket: string;
  readonly key: string;
  /** ETag of the source version ingested (no quotes). */
  readonly etag: string | null;
  readonly versionId: string | null;
  readonly rowsIngested: number | null;
  readonly rowsRejected: number | null;
  readonly bytes: number | null;
  /** `s3://bucket/key` of the bronze object; null when nothing was written (no data rows, rejected). */
  readonly bronzePath: string | null;
  /** The bronze partition (`dt=YYYY-MM-DD`) when the bronze key has one. */
  readonly partition: string | null;
  /** The ingest run that decided the outcome. */
  readonly runId: string;
  /** Why the file was rejected or gave up (`code`, `message`, `line`), else null. */
  readonly error: { readonly code: string; readonly message: string; readonly line: number | null } | null;
  /** Line of the first bad row (set aside, or the one that rejected the file). */
  readonly firstBadLine: number | null;
  /** When the source version landed, ISO 8601. */
  readonly landedAt: string | null;
  /** When the outcome was decided, ISO 8601. */
  readonly decidedAt: string;
  readonly durationMs: number;
}

/** One event to publish: the EventBridge entry without its bus. */
export interface OutcomeEvent {
  readonly detailType: (typeof OUTCOME_DETAIL_TYPES)[FinalStatus];
  readonly detail: OutcomeEventDetail;
}

/** Publishes events (EventBridge behind it); throws only when some could not be delivered. */
export interface EventPublisher {
  publish(events: readonly OutcomeEvent[]): Promise<void>;
}

function isFinal(status: string): status is FinalStatus {
  return Object.hasOwn(OUTCOME_DETAIL_TYPES, status);
}

/** The `dt=YYYY-MM-DD` segment of a bronze key, if it has one. */
function partitionOf(bronzeKey: string | undefined): string | null {
  return /(?:^|\/)(dt=\d{4}-\d{2}-\d{2})\//.exec(bronzeKey ?? '')?.[1] ?? null;
}

/** The event of a final outcome, or undefined for an outcome that is not final. */
export function outcomeEvent(
  outcome: FileOutcome,
  context: { readonly bronzeBucket: string; readonly decidedAt: Date },
): OutcomeEvent | undefined {
  if (!isFinal(outcome.status) || !outcome.dataset) return undefined;
  const file = filePathFor(outcome.bucket, outcome.key);
  const error = outcome.error
    ? {
        code: outcome.error.code,
        message: outcome.error.message.slice(0, MAX_MESSAGE_CHARS),
        line: outcome.error.line ?? null,
      }
    : outcome.status === 'exhausted'
      ? { code: 'EXHAUSTED', message: outcome.reason ?? 'retries exhausted', line: null }
      : null;
  return {
    detailType: OUTCOME_DETAIL_TYPES[outcome.status],
    detail: {
      version: OUTCOME_DETAIL_VERSION,
      status: outcome.status,
      dataset: outcome.dataset,
      file,
      bucket: outcome.bucket,
      key: outcome.key,
      etag: outcome.etag ?? null,
      versionId: outcome.versionId ?? null,
      rowsIngested: outcome.rowsIngested ?? null,
      rowsRejected: outcome.rowsRejected ?? null,
      bytes: outcome.bytes ?? null,
      bronzePath: outcome.bronzeKey ? `s3://${context.bronzeBucket}/${outcome.bronzeKey}` : null,
      partition: partitionOf(outcome.bronzeKey),
      runId: outcome.runId,
      error,
      firstBadLine: outcome.firstBadLine ?? outcome.error?.line ?? null,
      landedAt: outcome.landedAt?.toISOString() ?? null,
      decidedAt: context.decidedAt.toISOString(),
      durationMs: outcome.durationMs,
    },
  };
}

/**
 * The outcome sink that announces completed, rejected and exhausted files, all of an invocation
 * in one publish call. Downstream jobs start from these events.
 */
export class OutcomeEventSink implements OutcomeSink {
  readonly name = 'outcome-events';

  constructor(
    private readonly publisher: EventPublisher,
    private readonly context: { readonly bronzeBucket: string; readonly now: () => Date },
  ) {}

  async publish(outcomes: readonly FileOutcome[]): Promise<void> {
    const decidedAt = this.context.now();
    const events = outcomes
      .map((o) => outcomeEvent(o, { bronzeBucket: this.context.bronzeBucket, decidedAt }))
      .filter((e): e is OutcomeEvent => e !== undefined);
    if (events.length) await this.publisher.publish(events);
  }
}
