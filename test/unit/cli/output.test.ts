import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/errors.js';
import {
  formatAge,
  formatBytes,
  printReport,
  renderJson,
  renderKeyValues,
  renderSummary,
  renderTable,
  type Sink,
} from '../../../cli/output.js';

function sink(): Sink & { readonly stdout: string; readonly stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    errIsTTY: false,
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    get stdout() {
      return out.join('');
    },
    get stderr() {
      return err.join('');
    },
  };
}

describe('renderTable', () => {
  const rows = [
    { name: 'orders', files: 12, last: '2024-03-01T10:00:00Z' },
    { name: 'customers', files: 3, last: undefined },
  ];

  it('pads columns to the widest cell, right-aligns numbers and shows a dash for missing values', () => {
    const text = renderTable(rows, [
      { header: 'DATASET', value: (r) => r.name },
      { header: 'FILES', value: (r) => r.files, right: true },
      { header: 'LAST', value: (r) => r.last },
    ]);
    expect(text.split('\n')).toEqual([
      'DATASET    FILES  LAST',
      '---------  -----  --------------------',
      'orders        12  2024-03-01T10:00:00Z',
      'customers      3  -',
    ]);
  });

  it('prints the header alone when there are no rows', () => {
    expect(renderTable([], [{ header: 'FILE', value: () => 'x' }])).toBe('FILE\n----');
  });
});

describe('renderKeyValues', () => {
  it('aligns keys and prints nested values as compact JSON', () => {
    expect(
      renderKeyValues([
        ['status', 'rejected'],
        ['error', { code: 'BAD_ROW', line: 3 }],
        ['lease_until', undefined],
      ]),
    ).toBe('status:      rejected\nerror:       {"code":"BAD_ROW","line":3}\nlease_until: -');
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '0s'],
    [59, '59s'],
    [3_600, '1h'],
    [93_784, '1d 2h'],
    [3_725, '1h 2m'],
    [undefined, '-'],
  ])('formats an age of %s seconds as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });

  it('prints an audit summary as key=value pairs', () => {
    expect(renderSummary({ listed: 3, force: false, new: 1 })).toBe('listed=3 force=false new=1');
  });
});

describe('printReport', () => {
  const report = {
    data: { datasets: [{ dataset: 'orders', backlog: 2 }] },
    text: 'DATASET  BACKLOG',
    exitCode: ExitCode.Ok,
  };

  it('prints the text with a final newline for people', () => {
    const s = sink();
    printReport(s, report, false);
    expect(s.stdout).toBe('DATASET  BACKLOG\n');
  });

  it('prints exactly the data as one JSON document for scripts', () => {
    const s = sink();
    printReport(s, report, true);
    expect(JSON.parse(s.stdout)).toEqual(report.data);
    expect(s.stdout).toBe(renderJson(report.data));
    expect(s.stderr).toBe('');
  });
});

describe('control characters in table output', () => {
  const hostile = 'orders/\u001b[2J\u0007evil\u202e.csv';

  it('escapes control and bidirectional characters in cells and keeps columns aligned', () => {
    const text = renderTable(
      [{ key: hostile, n: 1 }],
      [
        { header: 'FILE', value: (r) => r.key },
        { header: 'N', value: (r) => r.n, right: true },
      ],
    );
    for (const c of ['\u001b', '\u0007', '\u202e']) expect(text).not.toContain(c);
    expect(text.split('\n')[2]).toBe('orders/\\x1b[2J\\x07evil\\u202e.csv  1');
    expect(text.split('\n')[0]).toBe(
      `FILE${' '.repeat('orders/\\x1b[2J\\x07evil\\u202e.csv'.length - 4)}  N`,
    );
  });

  it('escapes header names, keys and values of key-value lines, and tabs and newlines inside a cell', () => {
    expect(renderTable([{ v: 'a\tb\nc' }], [{ header: 'H\u001b', value: (r) => r.v }]).split('\n')).toEqual([
      'H\\x1b',
      '-------',
      'a\\tb\\nc',
    ]);
    expect(renderKeyValues([['k\u0007', 'v\u009b1m']])).toBe('k\\x07: v\\x9b1m');
  });

  it('escapes text around the tables but keeps its line breaks, while --json stays exact', () => {
    const s = sink();
    printReport(
      s,
      { data: { key: hostile }, text: `enqueued ${hostile}\ndone`, exitCode: ExitCode.Ok },
      false,
    );
    expect(s.stdout).toBe('enqueued orders/\\x1b[2J\\x07evil\\u202e.csv\ndone\n');
    const j = sink();
    printReport(j, { data: { key: hostile }, text: '', exitCode: ExitCode.Ok }, true);
    expect(JSON.parse(j.stdout)).toEqual({ key: hostile });
  });
});
