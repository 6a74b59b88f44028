/** Client configuration for the AWS API emulators the local stack runs on. */

/** Region every local resource lives in. */
export const LOCAL_REGION = 'us-east-1';

/** Dummy credentials: emulators accept any, and real ones must never reach them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface LocalAwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** S3 only (other clients ignore it): emulators serve buckets by path, not by host name. */
  readonly forcePathStyle: boolean;
}

/** Configuration that points any AWS SDK v3 client at a local endpoint. */
export function localClientConfig(endpoint: string): LocalAwsClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS }, forcePathStyle: true };
}
