/**
 * The CLI's contracts against the deployed stack's: commands that enqueue files or move marks
 * refuse when a dataset they touch has a contract the deployed engine does not run, since the
 * engine would ignore or misread the files while the marks moved past them.
 */
import {
  type ContractDifference,
  type ContractDigests,
  contractDrift,
  decodeContractDigests,
} from '../lambdas/core/contract-digest.js';
import { UsageError } from './errors.js';

/** Throws (or warns, when overridden) if a dataset's contract differs from the deployed one. */
export type DriftCheck = (datasets: readonly string[]) => void;

export interface DriftCheckOptions {
  /** The deployed digests (`ContractDigests` output or CONTRACT_DIGESTS); undefined when unknown. */
  readonly deployed: string | undefined;
  readonly local: ContractDigests;
  /** `--ignore-contract-drift`: warn and go on. */
  readonly ignore: boolean;
  readonly warn: (message: string) => void;
}

function describeDifference(d: ContractDifference): string {
  if (!d.deployed) return `${d.dataset} (not deployed)`;
  if (!d.local) return `${d.dataset} (deployed, not in the local contracts)`;
  return `${d.dataset} (changed since the deploy)`;
}

/** A check of the datasets a command is about to touch. */
export function driftCheck(options: DriftCheckOptions): DriftCheck {
  return (datasets) => {
    if (options.deployed === undefined) {
      options.warn(
        'bronze: the deployed contracts are unknown (no ContractDigests stack output, no CONTRACT_DIGESTS): not checked\n',
      );
      return;
    }
    const drift = contractDrift(decodeContractDigests(options.deployed), options.local, datasets);
    if (!drift.length) return;
    const list = drift.map(describeDifference).join(', ');
    if (options.ignore) {
      options.warn(`bronze: going on despite contracts that differ from the deployed stack: ${list}\n`);
      return;
    }
    throw new UsageError(
      `the contracts differ from the ones the stack deployed for: ${list}. The deployed engine ignores or misreads these files while the sweep would enqueue them and move their marks. Deploy the contracts first, or pass --ignore-contract-drift`,
    );
  };
}
