/**
 * Synthesizes the real BronzeIngestStack in-process, Lambda bundles included, so the local stack
 * deploys the same template `cdk deploy` would.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, DefaultStackSynthesizer, Duration } from 'aws-cdk-lib';
import { BronzeIngestStack } from '../lib/bronze-ingest-stack.js';

/** The repository root. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where the code assets go. A fixed name instead of the bootstrap bucket: an emulator has no
 * bootstrap stack, and the harness creates this bucket itself before the deploy.
 */
export const LOCAL_ASSETS_BUCKET = 'bronze-local-cdk-assets';

export interface StackSettings {
  /** CloudFormation stack name. */
  readonly stackName: string;
  /** Folder of dataset contracts. Default: the repository's `datasets/`. */
  readonly datasetsDir?: string;
  /** The ingest function's timeout: the runner's remaining time counts down from it. */
  readonly ingestTimeoutSeconds?: number;
  /** Visibility timeout of the ingest queue. Default: the stack's (6x the function timeout). */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the dead-letter queue. Default: the stack's. */
  readonly maxReceiveCount?: number;
  /** Messages per ingest invocation. Default: the stack's. */
  readonly batchSize?: number;
}

/** A code asset to publish before the deploy: a bundled directory zipped to one key. */
export interface CodeAsset {
  readonly objectKey: string;
  readonly directory: string;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly templateBody: string;
  readonly assets: readonly CodeAsset[];
  /** Removes the cloud assembly directory. */
  dispose(): void;
}

interface AssetManifest {
  readonly files: Record<
    string,
    {
      readonly source: { readonly path: string; readonly packaging?: string };
      readonly destinations: Record<string, { readonly objectKey: string }>;
    }
  >;
}

/** The feature flags of cdk.json, so the local template is the one `cdk synth` produces. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

function seconds(value: number | undefined): Duration | undefined {
  return value === undefined ? undefined : Duration.seconds(value);
}

/** Synthesizes the stack with bundled Lambda code into a temporary cloud assembly. */
export function synthesizeStack(settings: StackSettings): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'bronze-local-synth-'));
  try {
    // The built-in template validation costs seconds and checks nothing `cdk synth` does not.
    const app = new App({ outdir, context: cdkJsonContext(), builtinCloudFormationValidation: false });
    const stack = new BronzeIngestStack(app, settings.stackName, {
      synthesizer: new DefaultStackSynthesizer({
        fileAssetsBucketName: LOCAL_ASSETS_BUCKET,
        generateBootstrapVersionRule: false,
      }),
      datasetsDir: settings.datasetsDir,
      ingestTimeout: seconds(settings.ingestTimeoutSeconds),
      ingestQueueVisibilityTimeout: seconds(settings.visibilityTimeoutSeconds),
      maxReceiveCount: settings.maxReceiveCount,
      ingestBatchSize: settings.batchSize,
    });
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const manifest = JSON.parse(
      readFileSync(join(outdir, `${stack.stackName}.assets.json`), 'utf8'),
    ) as AssetManifest;
    const assets = Object.values(manifest.files)
      .filter((file) => file.source.packaging === 'zip')
      .flatMap((file) =>
        Object.values(file.destinations).map((destination) => ({
          objectKey: destination.objectKey,
          directory: join(outdir, file.source.path),
        })),
      );
    return {
      stackName: stack.stackName,
      templateBody: JSON.stringify(artifact.template),
      assets,
      dispose: () => rmSync(outdir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}
