/**
 * Reads the deployed ingest function and its SQS event source mapping back from the emulator's
 * Lambda API, so the local runner uses the environment, timeout and batch settings the template
 * gave the function rather than a copy of them.
 */
import { restCall } from './aws-json.js';

/** What the runner needs to stand in for the function and its event source mapping. */
export interface DeployedFunction {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** The function's environment variables as deployed (names and resolved values). */
  readonly environment: Readonly<Record<string, string>>;
  readonly batchSize: number;
  readonly maximumConcurrency: number;
  /** Whether the mapping reads `batchItemFailures` (otherwise any failure returns the whole batch). */
  readonly reportBatchItemFailures: boolean;
  readonly eventSourceArn: string;
  /** The mapping's id, for UpdateEventSourceMapping. */
  readonly mappingUuid: string;
}

interface FunctionConfiguration {
  readonly Timeout?: number;
  readonly MemorySize?: number;
  readonly Environment?: { readonly Variables?: Record<string, string> };
}

interface MappingList {
  readonly EventSourceMappings?: readonly {
    readonly UUID?: string;
    readonly BatchSize?: number;
    readonly EventSourceArn?: string;
    readonly FunctionResponseTypes?: readonly string[];
    readonly ScalingConfig?: { readonly MaximumConcurrency?: number };
  }[];
}

/** The deployed function's configuration and its one SQS event source mapping. */
export async function describeDeployedFunction(
  endpoint: string,
  functionName: string,
): Promise<DeployedFunction> {
  const name = encodeURIComponent(functionName);
  const config = await restCall<FunctionConfiguration>(
    endpoint,
    'lambda',
    `/2015-03-31/functions/${name}/configuration`,
  );
  const mappings = await restCall<MappingList>(
    endpoint,
    'lambda',
    `/2015-03-31/event-source-mappings/?FunctionName=${name}`,
  );
  const mapping = mappings.EventSourceMappings?.[0];
  if (!mapping?.EventSourceArn) throw new Error(`function ${functionName} has no event source mapping`);
  return {
    functionName,
    timeoutSeconds: config.Timeout ?? 3,
    memorySizeMb: config.MemorySize ?? 128,
    environment: config.Environment?.Variables ?? {},
    batchSize: mapping.BatchSize ?? 10,
    maximumConcurrency: mapping.ScalingConfig?.MaximumConcurrency ?? 1000,
    reportBatchItemFailures: mapping.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    eventSourceArn: mapping.EventSourceArn,
    mappingUuid: mapping.UUID ?? '',
  };
}
