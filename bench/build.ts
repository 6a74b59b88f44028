/**
 * Bundles the child programs with esbuild, as the stack bundles the Lambda: children then run
 * plain JavaScript. Under a TypeScript loader they would carry its hooks thread and its memory,
 * which would land in the measured peak RSS. Not minified, so that profiles keep their names.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { REQUIRE_SHIM } from '../lib/bundle-options.js';
import { BUILD_DIR, REPO_ROOT } from './paths.js';

export const CHILDREN = [
  'engine',
  'duckdb',
  'parse',
  'raw',
  'engine-small',
  'duckdb-small',
  'batch',
  'batch-large',
  'polars',
] as const;
export type ChildName = (typeof CHILDREN)[number];

export function childScript(name: ChildName): string {
  return join(BUILD_DIR, `${name}.mjs`);
}

export async function buildChildren(): Promise<void> {
  await build({
    entryPoints: CHILDREN.map((name) => ({
      in: join(REPO_ROOT, 'bench', 'children', `${name}.ts`),
      out: name,
    })),
    outdir: BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    // A native addon: loaded from node_modules at run time.
    external: ['@duckdb/node-api'],
    logLevel: 'warning',
  });
}
