/** Writer CPU cost for free-text columns of long values (sliced strings, as a CSV parser makes them). */
import { ParquetWriter } from '../../lambdas/core/parquet/index.js';

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor'.split(' ');
for (const length of [16, 48, 96, 256, 1024]) {
  const rows = Math.floor(20_000_000 / length);
  let text = '';
  for (let i = 0; text.length < rows * length; i++) text += `${WORDS[(i * 7) % WORDS.length]} `;
  const values = Array.from({ length: rows }, (_, i) => text.substring(i * length, (i + 1) * length));
  const times: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const writer = new ParquetWriter({ write: () => {} }, [{ name: 's', type: 'string', nullable: true }], {
      dictionary: false,
    });
    const u = process.cpuUsage();
    for (let start = 0; start < rows; start += 50_000) {
      const group = values.slice(start, start + 50_000);
      await writer.writeRowGroup([group], group.length);
    }
    await writer.close();
    const d = process.cpuUsage(u);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  console.log(
    `values of ${String(length).padStart(4)} chars: ${((rows * length) / 1e6 / (times[2]! / 1000)).toFixed(0)} MB/s cpu`,
  );
}
