/** The prose of BENCHMARKS.md lives in bench/notes/*.md, with {{name}} placeholders filled here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.js';

const NOTES_DIR = join(REPO_ROOT, 'bench', 'notes');

/** The note with every placeholder filled; a placeholder without a value is an error, not a blank. */
export function note(name: string, values: Readonly<Record<string, string | number>> = {}): string {
  const text = readFileSync(join(NOTES_DIR, `${name}.md`), 'utf8').trim();
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`bench/notes/${name}.md: no value for {{${key}}}`);
    return String(value);
  });
}
