/** Large source files made on the fly, so no big fixture is checked in. */

/** An orders CSV of about `megabytes` MB that matches datasets/orders.json; returns it and its row count. */
export function largeOrdersCsv(megabytes: number): { body: Buffer; rows: number } {
  const lines = ['order_id,customer_id,order_date,amount,currency,status,note'];
  let size = lines[0]!.length + 1;
  let rows = 0;
  while (size < megabytes * 1024 * 1024) {
    const hour = String(rows % 24).padStart(2, '0');
    const amount = (rows % 10000) / 100;
    const id = 100000 + rows;
    const line = `${id},C${rows % 997},2024-03-09 ${hour}:00:00,${amount},EUR,new,generated row ${rows}`;
    lines.push(line);
    size += line.length + 1;
    rows++;
  }
  return { body: Buffer.from(`${lines.join('\n')}\n`), rows };
}
