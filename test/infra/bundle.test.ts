import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, type Synthesized, scratchDir, synthesize } from './synth.js';

const FUNCTIONS = ['ingest', 'sweep'] as const;

let s: Synthesized;
let bundles: Record<(typeof FUNCTIONS)[number], string>;
beforeAll(() => {
  // The one synth that runs esbuild: it proves the real handler entries bundle.
  s = synthesize({ bundle: true });
  const assetDir = (fn: IConstruct): string => {
    const asset = fn.node.findAll().find((c): c is Asset => c instanceof Asset);
    if (!asset) throw new Error(`${fn.node.path} has no code asset`);
    return join(s.app.outdir, asset.assetPath);
  };
  bundles = {
    ingest: assetDir(s.stack.ingest.bronzeFunction.function),
    sweep: assetDir(s.stack.sweep.bronzeFunction.function),
  };
  // Two esbuild runs: far beyond the default hook timeout on a busy machine.
}, 300_000);

/** Every file under a folder, as sorted relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('Lambda bundles', () => {
  it.each(FUNCTIONS)('the %s bundle is one ES module with its source map and the contracts', (fn) => {
    expect(filesUnder(bundles[fn])).toEqual([
      'datasets/customers.json',
      'datasets/orders.json',
      'index.mjs',
      'index.mjs.map',
    ]);
  });

  it.each(FUNCTIONS)('the %s bundle ships the contracts byte for byte', (fn) => {
    for (const name of ['customers.json', 'orders.json']) {
      expect(readFileSync(join(bundles[fn], 'datasets', name), 'utf8')).toBe(
        readFileSync(join(PROJECT_ROOT, 'datasets', name), 'utf8'),
      );
    }
  });

  it.each(FUNCTIONS)('the %s bundle carries its own AWS SDK instead of the runtime one', (fn) => {
    const map = JSON.parse(readFileSync(join(bundles[fn], 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(
      true,
    );
  });

  it.each(FUNCTIONS)('the %s bundle loads on its own, away from node_modules', (fn) => {
    // A copy under the system temp folder has no node_modules above it: an import left
    // external would fail here as it would in Lambda.
    const dir = scratchDir(`${fn}-bundle-`);
    cpSync(bundles[fn], dir, { recursive: true });
    const output = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler);"],
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(output.trim()).toBe('function');
  });
});
