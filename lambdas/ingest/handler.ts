import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
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
      const parsed = parseMessage(record.body);
      if (parsed.kind === 'test') return;
      if (parsed.kind === 'unrecognised') {
        engine.logger?.error(
          'unrecognised message; it goes to the dead-letter queue after its last receive',
          {
            messageId: record.messageId,
            reason: parsed.reason,
            receiveCount: record.attributes?.ApproximateReceiveCount,
          },
        );
        batchItemFailures.push({ itemIdentifier: record.messageId });
        return;
      }
      const outcomes: FileOutcome[] = [];
      for (const request of parsed.requests) {
        outcomes.push(
          await ingestObject(engine, request, {
            runId: `${context.awsRequestId}:${record.messageId}`,
            remainingMs: () => context.getRemainingTimeInMillis(),
          }),
        );
      }
      invocationOutcomes.push(...outcomes);
      if (outcomes.some((o) => o.retry)) batchItemFailures.push({ itemIdentifier: record.messageId });
    };
    await runWithinBudget(event.Records, (record) => messageBytes(record.body), ingestRecord);
    await publishToSinks(engine, invocationOutcomes);
    return { batchItemFailures };
  };
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
