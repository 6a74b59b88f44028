import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { FileScope } from '../core/engine.js';
import { filePathFor } from '../core/ledger.js';

/**
 * One X-Ray subsegment per file, annotated with its dataset and outcome (searchable in X-Ray),
 * and the file's run id as the correlation id of every log line written meanwhile. Outside
 * Lambda (tests, the local stack on moto) Powertools Tracer is disabled and this only logs.
 */
export function observedFiles(logger: Logger, tracer: Tracer): FileScope {
  return async (request, runId, ingest) => {
    logger.setCorrelationId(runId);
    logger.appendKeys({ file: filePathFor(request.bucket, request.key) });
    const parent = tracer.getSegment();
    const subsegment = parent?.addNewSubsegment('## file');
    if (subsegment) tracer.setSegment(subsegment);
    try {
      const outcome = await ingest();
      tracer.putAnnotation('dataset', outcome.dataset ?? 'unmatched');
      tracer.putAnnotation('outcome', outcome.status);
      return outcome;
    } catch (e) {
      subsegment?.addError(e as Error);
      throw e;
    } finally {
      subsegment?.close();
      if (parent) tracer.setSegment(parent);
      logger.removeKeys(['file', 'correlation_id']);
    }
  };
}
