/**
 * Child: the engine's parse stage alone, the same decode and CSV scanner convertToBronze
 * uses, with no row conversion and no Parquet: how much of our time parsing takes.
 *
 *   node parse.mjs --csv FILE
 */
import { createReadStream } from 'node:fs';
import { utf8Chunks } from '../../lambdas/core/csv/decode.js';
import { readCsv } from '../../lambdas/core/csv/reader.js';
import { argValue, measure, observeGc } from './protocol.js';

const csv = argValue('csv');
const gcMs = observeGc();

await measure(async () => {
  let records = 0;
  const chunks = readCsv(utf8Chunks(createReadStream(csv)), {
    delimiter: ',',
    quoteChar: '"',
    maxRecordChars: 4_194_304,
  });
  for await (const chunk of chunks) records += chunk.count;
  // The header is a record too.
  return { rows: records - 1, outBytes: 0 };
}, gcMs);
