/**
 * What ingestion costs on AWS, from this run's measured times and request counts and the published
 * us-east-1 prices below: dollars per TB of CSV (large files) and per million small files.
 */
import { MODELLED_LATENCY } from '../small.js';
import type { BenchResults } from './model.js';
import { fixed, type Table } from './table.js';

/** Published us-east-1 prices (aws.amazon.com/{lambda,s3,dynamodb,sqs,eventbridge}/pricing). */
export const PRICES = {
  asOf: 'November 2024 (checked against 2025 copies of the pricing pages: unchanged)',
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  dynamodbWriteUnit: 0.625 / 1e6,
  sqsRequest: 0.4 / 1e6,
  /** S3's Object Created events on the default event bus, and their delivery to SQS by a rule. */
  eventBridgeServiceEvent: 0,
} as const;

/** The ingest function's memory as deployed (lib/constructs/ingest-function.ts). */
export const INGEST_MEMORY_MB = 1024;
const SQS_BATCH = 10;
const PART_BYTES = 8 * 1024 * 1024;
const TB = 1e12;

interface CostLine {
  readonly item: string;
  readonly perUnit: string;
  readonly dollars: number;
}

/** Lambda, S3, DynamoDB, SQS and EventBridge for `files` files taking `lambdaSeconds` in all. */
function lines(
  files: number,
  lambdaSeconds: number,
  s3Puts: number,
  s3Gets: number,
  writeUnits: number,
): CostLine[] {
  const gbSeconds = lambdaSeconds * (INGEST_MEMORY_MB / 1024);
  const invocations = files / SQS_BATCH;
  // EventBridge's SendMessage per file, then one ReceiveMessage and one DeleteMessageBatch per batch.
  const sqs = files + 2 * invocations;
  return [
    {
      item: `Lambda arm64, ${INGEST_MEMORY_MB} MB`,
      perUnit: `${fixed(gbSeconds, 0)} GB-s`,
      dollars: gbSeconds * PRICES.lambdaArmGbSecond,
    },
    {
      item: 'Lambda requests',
      perUnit: `${fixed(invocations, 0)} invocations`,
      dollars: invocations * PRICES.lambdaRequest,
    },
    { item: 'S3 PUT-class requests', perUnit: fixed(s3Puts, 0), dollars: s3Puts * PRICES.s3Put },
    { item: 'S3 GET requests', perUnit: fixed(s3Gets, 0), dollars: s3Gets * PRICES.s3Get },
    {
      item: 'DynamoDB writes (on demand)',
      perUnit: `${fixed(writeUnits, 0)} WRU`,
      dollars: writeUnits * PRICES.dynamodbWriteUnit,
    },
    { item: 'SQS requests', perUnit: fixed(sqs, 0), dollars: sqs * PRICES.sqsRequest },
    {
      item: 'EventBridge (S3 events, default bus)',
      perUnit: fixed(files, 0),
      dollars: files * PRICES.eventBridgeServiceEvent,
    },
  ];
}

/** Per million 5 KB files: the handler's wall time per file in a batch of ten, modelled latency. */
function perMillionSmallFiles(r: BenchResults): CostLine[] | undefined {
  const ten = r.batches?.find((b) => b.files === SQS_BATCH);
  const requests = r.ledger?.firstEvent.requests;
  if (!ten || !requests) return undefined;
  const files = 1e6;
  const count = (op: string) => requests[op] ?? 0;
  const puts = count('S3 PutObject') + count('S3 CreateMultipartUpload') + count('S3 UploadPart');
  const writes = count('DynamoDB PutItem') + count('DynamoDB UpdateItem');
  return lines(
    files,
    (ten.wallMs / 1000 / SQS_BATCH) * files,
    puts * files,
    count('S3 GetObject') * files,
    writes * files,
  );
}

/** Per TB of CSV in files of the largest size measured, at the engine's measured wall time. */
function perTerabyte(r: BenchResults): { sizeMb: number; lines: CostLine[] } | undefined {
  const engine = r.conversions
    .filter((c) => c.case.id === 'engine-text')
    .sort((a, b) => b.file.sizeMb - a.file.sizeMb)[0];
  if (!engine) return undefined;
  const files = TB / engine.file.bytes;
  const parts = Math.ceil(engine.outBytes / PART_BYTES);
  // A multipart upload when the output passes one part: create, the parts, complete.
  const putsPerFile = parts > 1 ? parts + 2 : 1;
  const lambdaSeconds = (engine.wallMs / 1000) * files;
  return {
    sizeMb: engine.file.sizeMb,
    lines: lines(files, lambdaSeconds, putsPerFile * files, files, 2 * files),
  };
}

function table(cost: CostLine[]): Table {
  const total = cost.reduce((sum, l) => sum + l.dollars, 0);
  return {
    headers: ['item', 'quantity', 'USD'],
    right: [false, true, true],
    rows: [...cost.map((l) => [l.item, l.perUnit, fixed(l.dollars, 3)]), ['total', '', fixed(total, 2)]],
  };
}

/** The two cost tables, or undefined parts when the run did not measure what they need. */
export function costTables(r: BenchResults): {
  smallFiles?: Table;
  terabyte?: { sizeMb: number; table: Table };
} {
  const small = perMillionSmallFiles(r);
  const tb = perTerabyte(r);
  return {
    ...(small ? { smallFiles: table(small) } : {}),
    ...(tb ? { terabyte: { sizeMb: tb.sizeMb, table: table(tb.lines) } } : {}),
  };
}

export const COST_LATENCY_NOTE = `S3 ${MODELLED_LATENCY.s3Ms} ms and DynamoDB ${MODELLED_LATENCY.dynamodbMs} ms per request`;
