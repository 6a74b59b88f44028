/**
 * Requests per file against moto, through the engine with the real adapters (S3ObjectStore,
 * DynamoDbLedger): a first event (claim, convert, complete) and a duplicate event for the same ETag,
 * each an EventBridge Object Created event read as the ingest handler reads it (ETag, size and
 * time announced, so no HEAD before the read).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDbLedger } from '../../lambdas/adapters/dynamodb-ledger.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';
import type { Contract } from '../../lambdas/core/contract.js';
import { type EngineDeps, ingestObject } from '../../lambdas/core/engine.js';

import { parseMessage } from '../../lambdas/core/events.js';
import { type IngestRequest, systemClock } from '../../lambdas/core/ports.js';
import { HEADER, rowMaker } from '../csv-rows.js';
import type { MotoEnv } from './moto-env.js';

const PROBE_ROWS = 1000;
const TABLE = 'bench-ledger-requests';

export interface LedgerRequests {
  readonly fileBytes: number;
  readonly rows: number;
  readonly firstEvent: { readonly outcome: string; readonly requests: Record<string, number> };
  readonly duplicateEvent: { readonly outcome: string; readonly requests: Record<string, number> };
}

function probeCsv(): string {
  const next = rowMaker(7);
  const lines: string[] = [HEADER.join(',')];
  for (let i = 0; i < PROBE_ROWS; i++) lines.push(next().text);
  return `${lines.join('\n')}\n`;
}

export async function measureLedgerRequests(env: MotoEnv, contract: Contract): Promise<LedgerRequests> {
  const buckets = { landing: 'bench-landing', bronze: 'bench-bronze', quarantine: 'bench-quarantine' };
  await env.createBuckets(buckets.landing, buckets.bronze, buckets.quarantine);
  await env.createTable(TABLE);
  const body = probeCsv();
  const eventOf = async (key: string) => {
    const put = await env.s3.send(new PutObjectCommand({ Bucket: buckets.landing, Key: key, Body: body }));
    const parsed = parseMessage(
      JSON.stringify({
        'detail-type': 'Object Created',
        // EventBridge always sets the event's time; without it the engine would HEAD the object to
        // date its bronze partition.
        time: new Date().toISOString(),
        detail: {
          bucket: { name: buckets.landing },
          object: { key, etag: put.ETag?.replaceAll('"', ''), size: Buffer.byteLength(body) },
        },
      }),
    );
    if (parsed.kind !== 'files') throw new Error('the probe event did not parse');
    return parsed.requests[0]!;
  };
  const deps: EngineDeps = {
    store: new S3ObjectStore({ client: env.s3 }),
    ledger: new DynamoDbLedger({ tableName: TABLE, client: env.dynamodb }),
    clock: systemClock,
    contracts: [contract],
    buckets,
  };
  const event = async (request: IngestRequest, runId: string) => {
    env.counter.take();
    const outcome = await ingestObject(deps, request, { runId, remainingMs: () => 60_000 });
    return { outcome: outcome.status, requests: env.counter.take() };
  };
  // A file before the probe: the process reads the dataset's pause mark once for the next 30 s,
  // a request that belongs to the batch, not to each file.
  await event(await eventOf('data/ledger-warm.csv'), 'bench-warm');
  const request = await eventOf('data/ledger-probe.csv');
  const firstEvent = await event(request, 'bench-first');
  if (firstEvent.outcome !== 'completed') throw new Error(`probe file ended ${firstEvent.outcome}`);
  const duplicateEvent = await event(request, 'bench-duplicate');
  if (duplicateEvent.outcome !== 'duplicate')
    throw new Error(`duplicate event ended ${duplicateEvent.outcome}`);
  return { fileBytes: Buffer.byteLength(body), rows: PROBE_ROWS, firstEvent, duplicateEvent };
}
