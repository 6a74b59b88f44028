/** The library entry: what another CDK app imports to run bronze-ingest inside its own stacks. */

export type { Contract } from '../lambdas/core/contract.js';
export { BronzeIngest, type BronzeIngestProps, type ContractDocument } from './bronze-ingest.js';
export { BronzeIngestStack, type BronzeIngestStackProps } from './bronze-ingest-stack.js';
