/** Headings for the local stack's terminal output (tables come from the CLI's renderer). */

/** A heading with a rule under it. */
export function heading(title: string): string {
  return `\n${title}\n${'='.repeat(title.length)}`;
}
