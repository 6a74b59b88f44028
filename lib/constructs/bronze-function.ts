import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';
import { LAMBDA_BUNDLE } from '../bundle-options.js';
import { nodeOptionsFor } from '../heap.js';
import { acknowledgeWildcardResources } from '../nag.js';

/** Where the bundled contracts live inside the function: the bundle root is /var/task. */
export const BUNDLED_DATASETS_DIR = '/var/task/datasets';

/** One validated contract file shipped in the bundle, by name and exact content. */
export interface BundledFile {
  /** File name inside `datasets/`, `<ingestion_key>.json`. */
  readonly name: string;
  /** The file's text, byte for byte what was validated. */
  readonly text: string;
}

/**
 * Writes the contracts into the bundle. Its only inputs are base64 arguments, which the shell
 * passes through untouched: no contract name, content or folder path is ever shell syntax.
 */
const WRITE_CONTRACTS_SCRIPT = [
  'const fs=require("node:fs"),path=require("node:path");',
  'const arg=(a)=>JSON.parse(Buffer.from(a,"base64").toString("utf8"));',
  'const [dir,...files]=process.argv.slice(1).map(arg);',
  'fs.mkdirSync(dir,{recursive:true});',
  'for(const f of files)fs.writeFileSync(path.join(dir,path.basename(f.name)),f.text);',
].join('');

/** The one bundling command that copies the contracts: `node -e` with base64 arguments. */
export function writeContractsCommand(outputDir: string, files: readonly BundledFile[]): string {
  const base64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  const args = [`${outputDir}/datasets`, ...files].map(base64);
  return `node -e '${WRITE_CONTRACTS_SCRIPT}' ${args.join(' ')}`;
}

export interface BronzeFunctionProps {
  /** Absolute path of the handler's entry file (it exports `handler`). */
  readonly entry: string;
  /** Directory holding package-lock.json, the root esbuild resolves modules from. */
  readonly projectRoot: string;
  /** The validated contract files written into the bundle. */
  readonly datasetFiles: readonly BundledFile[];
  /** Powertools service name, the `service` key of every log line and metric. */
  readonly serviceName: string;
  /** One line on what the function does. */
  readonly description: string;
  /**
   * Memory in MB (CPU grows with it).
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Longest a single invocation may run.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * CloudWatch namespace of the Powertools metrics.
   * @default 'BronzeIngest'
   */
  readonly metricsNamespace?: string;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A NodejsFunction with the project's Lambda defaults: nodejs22.x on arm64, an explicit log group
 * with retention (not the LogRetention custom resource), a role that may write only to that log
 * group, source maps, Powertools settings, and the dataset contracts shipped in the bundle.
 */
export class BronzeFunction extends Construct {
  /** The function; grant access and add environment through the owning constructs' methods. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The execution role, which starts with no permission beyond writing its own logs. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BronzeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An own role instead of the default one, which carries the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group of the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);

    const memorySize = props.memorySize ?? 1024;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: props.timeout ?? Duration.minutes(5),
      role: this.role,
      logGroup: this.logGroup,
      // Powertools Tracer sends one subsegment per file and the SDK calls under it.
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'BronzeIngest',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Responses can be whole bronze parts and ledger items: annotations say what matters.
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        NODE_OPTIONS: nodeOptionsFor(memorySize),
        [ENV.datasetsDir]: BUNDLED_DATASETS_DIR,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        banner: LAMBDA_BUNDLE.banner,
        minify: LAMBDA_BUNDLE.minify,
        keepNames: LAMBDA_BUNDLE.keepNames,
        // esbuild's size summary is noise in synth, tests and the local stack; warnings still show.
        logLevel: nodejs.LogLevel.WARNING,
        sourceMap: LAMBDA_BUNDLE.sourcemap,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        // The SDK is bundled, not taken from the runtime: the runtime's SDK version moves under
        // us, while the bundled one is the version the unit and integration tests ran against.
        bundleAwsSDK: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Ships exactly the contracts validated at synth time.
          afterBundling: (_inputDir: string, outputDir: string) => [
            writeContractsCommand(outputDir, props.datasetFiles),
          ],
        },
      },
    });
    const acknowledge = Validations.of(this.function);
    const runtimeReason =
      'nodejs22.x is the runtime the bundle is built for (esbuild target node22). The unit, integration and ' +
      'bundle tests run the handlers on the Node.js of the build machine (20 or later, see package.json ' +
      'engines), not on the Lambda runtime; a newer runtime is a deliberate change of the esbuild target.';
    acknowledge.acknowledge({ id: 'AwsSolutions-L1', reason: runtimeReason });
    acknowledge.acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: runtimeReason });
    // X-Ray accepts trace segments on no narrower resource than "*".
    acknowledgeWildcardResources(
      this.role,
      ['*'],
      'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) support only the "*" resource.',
    );
  }
}
