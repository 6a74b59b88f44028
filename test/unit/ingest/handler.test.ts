import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { FileOutcome, OutcomeSink } from '../../../lambdas/core/engine.js';
import { createIngestHandler } from '../../../lambdas/ingest/handler.js';
import { testContract } from '../../helpers/csv.js';
import { memoryEngine } from '../../helpers/engine.js';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 };

function sqsEvent(keys: string[]): SQSEvent {
  return {
    Records: keys.map((key, i) => ({
      messageId: `m-${i}`,
      body: JSON.stringify({ bucket: 'landing', key }),
    })),
  } as unknown as SQSEvent;
}

class RecordingSink implements OutcomeSink {
  readonly batches: FileOutcome[][] = [];
  constructor(
    readonly name: string,
    private readonly fail = false,
  ) {}
  async publish(outcomes: readonly FileOutcome[]): Promise<void> {
    this.batches.push([...outcomes]);
    if (this.fail) throw new Error('sink unavailable');
  }
}

describe('ingest handler outcome sinks', () => {
  it('hands every outcome of one invocation to each sink in a single call', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    engine.land('things/b.csv', 'id,name\n2,b\n');
    const sink = new RecordingSink('history');
    const handler = createIngestHandler(() => ({ ...engine.deps, outcomeSinks: [sink] }));

    const response = await handler(sqsEvent(['things/a.csv', 'things/b.csv']), context);

    expect(response.batchItemFailures).toEqual([]);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]?.map((o) => [o.key, o.status])).toEqual([
      ['things/a.csv', 'completed'],
      ['things/b.csv', 'completed'],
    ]);
  });

  it('a failing sink fails no file and does not stop the other sinks', async () => {
    const engine = memoryEngine([testContract()]);
    engine.land('things/a.csv', 'id,name\n1,a\n');
    const broken = new RecordingSink('events', true);
    const healthy = new RecordingSink('history');
    const handler = createIngestHandler(() => ({ ...engine.deps, outcomeSinks: [broken, healthy] }));

    const response = await handler(sqsEvent(['things/a.csv']), context);

    expect(response.batchItemFailures).toEqual([]);
    expect(healthy.batches[0]?.map((o) => o.status)).toEqual(['completed']);
  });
});
