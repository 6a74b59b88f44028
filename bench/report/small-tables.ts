/** The small-file section: per-file CPU, wall time and allocation, ours beside DuckDB's. */
import { type BatchResult, MODELLED_LATENCY, type SmallResult } from '../small.js';
import { fixed, percent, type Table } from './table.js';

export function smallTable(results: readonly SmallResult[]): Table {
  return {
    headers: [
      'path',
      'files',
      'CPU ms per file',
      'wall ms per file',
      'files/s (wall)',
      'allocated KiB per file',
      'of which array buffers',
      'GC % of wall',
      'peak RSS MiB',
    ],
    right: [false, true, true, true, true, true, true, true, true],
    rows: results.map((r) => [
      r.case.label,
      String(r.files),
      fixed(r.cpuMsPerFile, 2),
      fixed(r.wallMsPerFile, 2),
      fixed(1000 / r.wallMsPerFile, 0),
      fixed(r.allocatedPerFile / 1024, 0),
      fixed(r.externalPerFile / 1024, 0),
      r.gcShare === undefined ? '' : percent(r.gcShare),
      fixed(r.maxRssMiB, 0),
    ]),
  };
}

export function batchTable(results: readonly BatchResult[]): Table {
  const one = results.find((r) => r.files === 1);
  return {
    headers: ['SQS batch', 'wall ms', 'CPU ms', 'wall vs one file', 'modelled latency'],
    right: [false, true, true, true, false],
    rows: results.map((r) => [
      `${r.files} file${r.files === 1 ? '' : 's'} of 5 KB`,
      fixed(r.wallMs, 0),
      fixed(r.cpuMs, 0),
      one ? `${fixed(r.wallMs / one.wallMs, 2)}x` : '',
      `S3 ${MODELLED_LATENCY.s3Ms} ms, DynamoDB ${MODELLED_LATENCY.dynamodbMs} ms per request`,
    ]),
  };
}
