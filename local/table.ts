/** Plain-text tables for terminal output. */

export type Align = 'left' | 'right';

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | undefined;
  readonly align?: Align;
  /** Longer values are cut with an ellipsis. */
  readonly maxWidth?: number;
}

function cell(value: string | number | undefined, maxWidth: number | undefined): string {
  const text = value === undefined ? '' : String(value).replace(/\s+/g, ' ');
  return maxWidth !== undefined && text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
}

/** Renders rows as an aligned table with a header rule. */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

/** A heading with a rule under it. */
export function heading(title: string): string {
  return `\n${title}\n${'='.repeat(title.length)}`;
}
