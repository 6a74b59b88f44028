import { defineConfig } from 'vitest/config';

// The SDK warns on every client under Node 20 that its 2027 releases will need Node 22; the
// Lambda runtime is Node 22, so the warning says nothing about this code and only buries output.
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          env,
          // Property tests and the block-size sweep run a few seconds each on a busy 2-core machine.
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 120_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts its own moto_server. Three at a time on 2 cores: the longest files
          // (a killed runner, an overwrite mid-write) mostly wait out a real lease.
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
