import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EngineDeps, type FileOutcome, ingestObject } from '../core/engine.js';
import { parseMessage } from '../core/events.js';
import { messageBytes, runWithinBudget } from './bounded-batch.js';

/** Below this much remaining time a record is handed back untouched rather than started. */
export const MIN_REMAINING_MS = 15_000;

/**
 * Builds the SQS handler: it only translates queue records into engine calls and reports
 * the records that must come back (partial batch failure). Data errors are not failures.
 */
export function createIngestHandler(deps: () => EngineDeps | Promise<EngineDeps>) {
  return async (
    event: SQSEvent,
    context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>,
  ): Promise<SQSBatchResponse> => {
    const engine = await deps();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    const invocationOutcomes: FileOutcome[] = [];
    // Records run concurrently within a byte budget; each one's outcomes and failure are its own.
    const ingestRecord = async (record: SQSEvent['Records'][number]): Promise<void> => {
      if (context.getRemainingTimeInMillis() < MIN_REMAINING_MS) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        return;
      }
      const { outcomes, retry } = await handleRecordAlone(engine, record, context);
      invocationOutcomes.push(...outcomes);
      if (retry) batchItemFailures.push({ itemIdentifier: record.messageId });
    };
    await runWithinBudget(event.Records, (record) => messageBytes(record.body), ingestRecord);
    await publishToSinks(engine, invocationOutcomes);
    return { batchItemFailures };
  };
}

type RecordContext = Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>;

/**
 * Parses and ingests one record. Nothing it meets escapes to the batch: a message that cannot be
 * read, or an error on its way, makes only this record come back.
 */
async function handleRecordAlone(
  engine: EngineDeps,
  record: SQSRecord,
  context: RecordContext,
): Promise<{ outcomes: FileOutcome[]; retry: boolean }> {
  const outcomes: FileOutcome[] = [];
  const failure = (message: string, extra: Record<string, unknown>) => {
    engine.logger?.error(message, {
      messageId: record.messageId,
      receiveCount: record.attributes?.ApproximateReceiveCount,
      ...extra,
    });
    return { outcomes, retry: true };
  };
  try {
    const parsed = parseMessage(record.body);
    if (parsed.kind === 'test') return { outcomes, retry: false };
    if (parsed.kind === 'unrecognised') {
      const result = failure(
        'unrecognised message; it goes to the dead-letter queue after its last receive',
        {
          reason: parsed.reason,
        },
      );
      // Reading it again cannot succeed: it need not wait out the timeout on its way to the DLQ.
      await bringBack(engine, record, 0);
      return result;
    }
    const runId = `${context.awsRequestId}:${record.messageId}`;
    for (const request of parsed.requests) {
      const ingest = () =>
        ingestObject(engine, request, { runId, remainingMs: () => context.getRemainingTimeInMillis() });
      outcomes.push(await (engine.fileScope ? engine.fileScope(request, runId, ingest) : ingest()));
    }
    const retry = outcomes.some((o) => o.retry);
    if (retry) await returnSooner(engine, record, outcomes);
    return { outcomes, retry };
  } catch (e) {
    return failure('message could not be handled; it alone returns to the queue', {
      error: (e as Error).message ?? String(e),
    });
  }
}

/**
 * A returned record comes back after the queue's visibility timeout, unless every outcome that
 * asked for it says when (a newer version behind a lease): then it comes back at the soonest.
 */
async function returnSooner(engine: EngineDeps, record: SQSRecord, outcomes: readonly FileOutcome[]) {
  const retrying = outcomes.filter((o) => o.retry);
  if (!engine.messageVisibility || retrying.some((o) => o.retryAfterMs === undefined)) return;
  await bringBack(engine, record, Math.min(...retrying.map((o) => o.retryAfterMs ?? 0)));
}

/** Makes a returned record visible again in `afterMs`; on failure it keeps the visibility timeout. */
async function bringBack(engine: EngineDeps, record: SQSRecord, afterMs: number): Promise<void> {
  if (!engine.messageVisibility) return;
  try {
    await engine.messageVisibility.changeVisibility(
      { queueArn: record.eventSourceARN, receiptHandle: record.receiptHandle },
      afterMs / 1000,
    );
  } catch (e) {
    engine.logger?.warn('could not bring the message back sooner; it returns after the visibility timeout', {
      messageId: record.messageId,
      error: (e as Error).message ?? String(e),
    });
  }
}

/** Hands the invocation's outcomes to every sink; a sink's failure is logged, never a file's. */
async function publishToSinks(engine: EngineDeps, outcomes: readonly FileOutcome[]): Promise<void> {
  if (!outcomes.length || !engine.outcomeSinks?.length) return;
  await Promise.all(
    engine.outcomeSinks.map(async (sink) => {
      try {
        await sink.publish(outcomes);
      } catch (e) {
        engine.logger?.error(`outcome sink ${sink.name} failed; the files' outcomes stand`, {
          sink: sink.name,
          files: outcomes.length,
          error: (e as Error).message,
        });
      }
    }),
  );
}
