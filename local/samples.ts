/** The sample files shipped in samples/, keyed as they land (their path under samples/). */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PROJECT_ROOT } from './synth.js';

export const SAMPLES_DIR = join(PROJECT_ROOT, 'samples');

export interface SampleFile {
  /** The landing key: the path under samples/, which matches the contracts' source prefixes. */
  readonly key: string;
  readonly path: string;
}

/** Every sample file, sorted by key. */
export function sampleFiles(dir: string = SAMPLES_DIR): SampleFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { key: relative(dir, path).split(sep).join('/'), path };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}
