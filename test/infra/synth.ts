import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll } from 'vitest';
import { BronzeIngestStack, type BronzeIngestStackProps } from '../../lib/bronze-ingest-stack.js';

/** The repository root. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A folder of contract fixtures under test/fixtures/contracts. */
export function contractFixture(name: string): string {
  return join(PROJECT_ROOT, 'test/fixtures/contracts', name);
}

export interface SynthOptions {
  /** Stack props. */
  readonly props?: BronzeIngestStackProps;
  /** Run esbuild for the Lambda assets (slow); otherwise CDK stages placeholder assets. */
  readonly bundle?: boolean;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: BronzeIngestStack;
  readonly template: Template;
}

/**
 * Cloud assemblies of the importing test file. Test files are isolated, so this module and its
 * hook are set up once per file: the folder goes when the file's tests are done.
 */
const OUT_ROOT = mkdtempSync(join(tmpdir(), 'bronze-ingest-infra-'));
afterAll(() => rmSync(OUT_ROOT, { recursive: true, force: true }));

/** A fresh folder removed with the test file's other outputs. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(OUT_ROOT, prefix));
}

/** The feature flags of cdk.json, so the tests synthesize what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** An App holding one BronzeIngest stack, not yet synthesized. */
export function buildApp(options: SynthOptions = {}): { app: App; stack: BronzeIngestStack } {
  const app = new App({
    outdir: scratchDir('cdk.out-'),
    // `cdk synth` runs aws-cdk-lib's template validation; in a test worker it costs about 10 s a synth.
    builtinCloudFormationValidation: false,
    context: {
      ...cdkJsonContext(),
      // An empty list tells NodejsFunction to skip bundling, as `cdk deploy` does for unselected stacks.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new BronzeIngestStack(app, 'BronzeIngest', options.props);
  return { app, stack };
}

/** Builds and synthesizes the stack once. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const { app, stack } = buildApp(options);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Resources of one type, keyed by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** The properties of one resource, by type and logical id; throws when it is missing. */
export function propertiesOf(template: Template, type: string, id: string): Record<string, unknown> {
  const resource = resourcesOfType(template, type)[id];
  if (!resource) throw new Error(`no ${type} with logical id ${id}`);
  return resource.Properties;
}

/** The parts of a template resource the tests read. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** The one resource of a type whose logical id starts with a prefix. */
export function resourceByPrefix(template: Template, type: string, prefix: string): [string, CfnResource] {
  const matches = Object.entries(resourcesOfType(template, type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) {
    throw new Error(`expected one ${type} with logical id ${prefix}*, found ${matches.length}`);
  }
  return matches[0]!;
}

/** The logical id of a construct's CloudFormation resource (the construct itself or its default child). */
export function logicalId(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(construct).getLogicalId(element);
}
