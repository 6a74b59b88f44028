/**
 * How the Lambdas are bundled, in esbuild's own terms: the stack (BronzeFunction) builds with these
 * and the benchmark measures a bundle built with them, so the two cannot drift apart.
 */

/**
 * ESM output still meets CommonJS dependencies that call `require` for Node built-ins;
 * this gives them one.
 */
export const REQUIRE_SHIM =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

export const LAMBDA_BUNDLE = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
} as const;
