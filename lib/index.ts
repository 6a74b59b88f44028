/** The library entry: what another CDK app imports to run bronze-ingest inside its own stacks. */

export type { Contract } from '../lambdas/core/contract.js';
export {
  type FinalStatus,
  OUTCOME_DETAIL_TYPES,
  OUTCOME_DETAIL_VERSION,
  OUTCOME_EVENT_SOURCE,
  type OutcomeEventDetail,
} from '../lambdas/core/outcome-events.js';
export { BronzeIngest, type BronzeIngestProps, type ContractDocument } from './bronze-ingest.js';
export { BronzeIngestStack, type BronzeIngestStackProps } from './bronze-ingest-stack.js';
export { OutcomeEvents } from './constructs/outcome-events.js';
