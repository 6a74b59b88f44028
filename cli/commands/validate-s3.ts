/**
 * `bronze validate s3://bucket/key`: the same report as for a local file, for an object in S3,
 * streamed (memory bounded as in the Lambda) and never ingested. The dataset is the one named, or
 * the one whose source claims the key.
 */
import type { Contract } from '../../lambdas/core/contract.js';
import type { ObjectStore } from '../../lambdas/core/ports.js';
import { fileRef } from '../datasets.js';
import { MissingResourceError } from '../errors.js';
import type { Report } from '../output.js';
import { type ValidateData, validate } from './validate.js';

export interface ValidateS3Deps {
  readonly contracts: readonly Contract[];
  readonly store: ObjectStore;
  readonly landingBucket?: string;
}

export interface ValidateS3Options {
  readonly uri: string;
  readonly dataset?: string;
  readonly maxProblems?: number;
}

/** Validates one S3 object, read at the version HEAD saw (pinned by its ETag). */
export async function validateS3(
  deps: ValidateS3Deps,
  options: ValidateS3Options,
): Promise<Report<ValidateData>> {
  const ref = fileRef(deps.contracts, options.uri, {
    ...(options.dataset ? { dataset: options.dataset } : {}),
    ...(deps.landingBucket ? { landingBucket: deps.landingBucket } : {}),
  });
  const head = await deps.store.head(ref.bucket, ref.key);
  if (!head) throw new MissingResourceError(`object ${ref.filePath} not found`);
  const source = await deps.store.read(ref.bucket, ref.key, { ifMatch: head.etag });
  return validate(
    { contracts: deps.contracts },
    {
      file: ref.filePath,
      source,
      dataset: ref.dataset,
      ...(options.maxProblems !== undefined ? { maxProblems: options.maxProblems } : {}),
    },
  );
}
