/** Finding datasets: by name, or from an object's s3:// URI through the contracts' sources. */
import { type Contract, resolveDataset } from '../lambdas/core/contract.js';
import { filePathFor, parseS3Uri, sourcePathFor } from '../lambdas/core/ledger.js';
import { UsageError } from './errors.js';

/** The contract of a dataset, or a usage error naming the known ones. */
export function contractNamed(contracts: readonly Contract[], dataset: string): Contract {
  const contract = contracts.find((c) => c.ingestion_key === dataset);
  if (!contract) {
    const known = contracts.map((c) => c.ingestion_key).join(', ') || 'none';
    throw new UsageError(`no dataset contract named ${dataset} (known: ${known}); see --datasets DIR`);
  }
  return contract;
}

/** The contracts a command covers: one by name, or all of them. */
export function contractsFor(contracts: readonly Contract[], dataset: string | undefined): Contract[] {
  if (dataset) return [contractNamed(contracts, dataset)];
  if (!contracts.length) throw new UsageError('no dataset contracts found; see --datasets DIR');
  return [...contracts];
}

export interface FileRef {
  readonly dataset: string;
  readonly bucket: string;
  readonly key: string;
  /** The ledger's sort key: `s3://bucket/key`, or its digest form for long paths. */
  readonly filePath: string;
  /** `s3://bucket/key`, the file's real path. */
  readonly sourcePath: string;
}

/**
 * Parses an `s3://bucket/key` URI and finds its dataset: the one named, or the contract whose
 * source (bucket, prefix, suffix) claims the object.
 */
export function fileRef(
  contracts: readonly Contract[],
  uri: string,
  options: { dataset?: string; landingBucket?: string },
): FileRef {
  let location: { bucket: string; key: string };
  try {
    location = parseS3Uri(uri);
  } catch (e) {
    throw new UsageError((e as Error).message, { cause: e });
  }
  const filePath = filePathFor(location.bucket, location.key);
  const sourcePath = sourcePathFor(location.bucket, location.key);
  if (options.dataset) {
    const dataset = contractNamed(contracts, options.dataset).ingestion_key;
    return { dataset, ...location, filePath, sourcePath };
  }
  const match = resolveDataset(contracts, options.landingBucket ?? '', location.bucket, location.key);
  if (!match) {
    const hint = options.landingBucket
      ? ''
      : ' (the landing bucket is not known: pass --landing-bucket or --stack)';
    throw new UsageError(`no dataset contract claims ${uri}${hint}; pass --dataset NAME`);
  }
  return { dataset: match.contract.ingestion_key, ...location, filePath, sourcePath };
}
