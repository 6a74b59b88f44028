/** The reference statement: DuckDB's CSV to Parquet, dialect and types given. */

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * COPY of one CSV to Snappy Parquet. The dialect is given, as our contract gives it, so DuckDB
 * sniffs no dialect; types are given too (or all text), so neither side infers types.
 */
export function copySql(csv: string, out: string, columns: string): string {
  const typing =
    columns === 'all_varchar'
      ? 'all_varchar = true'
      : `columns = {${Object.entries(JSON.parse(columns) as Record<string, string>)
          .map(([name, type]) => `${quote(name)}: ${quote(type)}`)
          .join(', ')}}`;
  const dialect = `header = true, delim = ',', quote = '"', escape = '"'`;
  return (
    `COPY (SELECT * FROM read_csv(${quote(csv)}, ${dialect}, ${typing})) ` +
    `TO ${quote(out)} (FORMAT parquet, COMPRESSION snappy)`
  );
}
