import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localUpArgs, projectRoot } from '../../../cli/commands/local.js';
import { parseUpArgs } from '../../../local/up.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('bronze local up', () => {
  it('finds the checkout it runs from by its package name', () => {
    expect(projectRoot(join(ROOT, 'cli', 'commands'))).toBe(ROOT);
    expect(projectRoot('/')).toBeUndefined();
  });

  it('hands its options to local/up.ts in the form localUp reads', () => {
    expect(localUpArgs({})).toEqual([]);
    expect(localUpArgs({ datasetsDir: 'd', concurrency: 3, logLevel: 'WARN', samples: true })).toEqual([
      '--datasets-dir',
      'd',
      '--concurrency',
      '3',
      '--log-level',
      'WARN',
      '--samples',
    ]);
    expect(parseUpArgs(localUpArgs({ datasetsDir: 'd', samples: true }))).toMatchObject({
      datasetsDir: 'd',
      samples: true,
    });
  });
});
