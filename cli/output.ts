/**
 * Rendering: human tables by default, JSON for scripts. Commands build plain data and a text
 * rendering of it; the program prints one or the other.
 */
import type { ExitCode } from './errors.js';

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface Sink {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only go there). */
  readonly errIsTTY: boolean;
}

/** What a command produced: data for `--json`, text for people, and the exit code. */
export interface Report<T> {
  readonly data: T;
  readonly text: string;
  readonly exitCode: ExitCode;
}

export type Cell = string | number | boolean | undefined | null;

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => Cell;
  /** Right-align (numbers). */
  readonly right?: boolean;
  /** Longer values are cut with an ellipsis. */
  readonly maxWidth?: number;
}

const show = (cell: Cell): string =>
  cell === undefined || cell === null || cell === '' ? '-' : String(cell);

// C0 and C1 controls, DEL, and the format characters that reorder or hide text on a terminal.
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return (
    NAMED[c] ??
    (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/**
 * Text safe to print on a terminal: control and bidirectional format characters (from a key, a
 * header name, a message) become visible escapes such as `\x1b`, so none can move the cursor,
 * recolour the screen or reorder what is shown. Newlines are kept when `keepNewlines` is set.
 */
export function escapeControl(text: string, keepNewlines = false): string {
  return text.replace(CONTROL, (c) => (keepNewlines && c === '\n' ? c : escapeChar(c)));
}

/** One line per cell: controls escaped, cut with an ellipsis past `maxWidth`. */
function fitCell(text: string, maxWidth: number | undefined): string {
  const line = escapeControl(text);
  return maxWidth !== undefined && line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line;
}

/** A plain-text table: a header, a rule, one line per row, columns padded to fit. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => fitCell(show(c.value(row)), c.maxWidth)));
  const headers = columns.map((c) => escapeControl(c.header));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `key: value` lines, keys padded to one width; nested objects shown as compact JSON. */
export function renderKeyValues(entries: readonly (readonly [string, unknown])[]): string {
  const keys = entries.map(([k]) => escapeControl(k));
  const width = Math.max(0, ...keys.map((k) => k.length));
  return entries
    .map(([, v], i) => {
      const value = typeof v === 'object' && v !== null ? JSON.stringify(v) : escapeControl(show(v as Cell));
      return `${`${keys[i]}:`.padEnd(width + 1)} ${value}`;
    })
    .join('\n');
}

/** JSON for scripts: two-space indented, one document, a trailing newline. */
export function renderJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** `summary` of an audit record as `key=value` pairs. */
export function renderSummary(summary: Readonly<Record<string, unknown>>): string {
  return Object.entries(summary)
    .map(([k, v]) => escapeControl(`${k}=${String(v)}`))
    .join(' ');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** 93784 s -> "1d 2h"; the two largest units are enough to judge a backlog. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [Math.floor(seconds % 60), 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(' ');
}

/** Prints a report: JSON on stdout with `--json`, otherwise its text. */
export function printReport(sink: Sink, report: Report<unknown>, json: boolean): void {
  if (json) sink.out(renderJson(report.data));
  else if (report.text) {
    // Tables escape their cells already; this also covers text a command wrote around them.
    const text = escapeControl(report.text, true);
    sink.out(text.endsWith('\n') ? text : `${text}\n`);
  }
}
