/** A table rendered two ways: aligned text for the terminal, and Markdown for BENCHMARKS.md. */

export interface Table {
  readonly headers: readonly string[];
  /** Per column: numbers read better aligned right. */
  readonly right?: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

export function textTable(table: Table): string {
  const widths = table.headers.map((h, i) =>
    Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (table.right?.[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(table.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join(
    '\n',
  );
}

export function markdownTable(table: Table): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const rule = table.headers.map((_, i) => (table.right?.[i] ? '---:' : '---'));
  return [table.headers, rule, ...table.rows].map((cells) => `| ${cells.map(cell).join(' | ')} |`).join('\n');
}

export function fixed(n: number, digits: number): string {
  return n.toFixed(digits);
}

/** 1234567 -> "1.23 M", 12345 -> "12.3 k": rows per second read at a glance. */
export function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

export function percent(ratio: number, digits = 0): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}
