/**
 * Child: the ceiling, reading the file and counting line breaks, with nothing parsed or written.
 *
 *   node raw.mjs --csv FILE --rows N
 */
import { createReadStream } from 'node:fs';
import { argValue, measure } from './protocol.js';

const csv = argValue('csv');
const rows = Number(argValue('rows'));

await measure(async () => {
  let newlines = 0;
  for await (const chunk of createReadStream(csv, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    for (let p = buf.indexOf(10); p !== -1; p = buf.indexOf(10, p + 1)) newlines++;
  }
  return { rows, outBytes: 0, newlines };
});
