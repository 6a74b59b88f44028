/**
 * Deterministic rows of the bench CSV: 13 columns shaped like an export of an orders table, with
 * the awkward parts real files have (quoted fields holding commas, doubled quotes and line breaks,
 * empty fields, some non-ASCII text).
 */

export const HEADER = [
  'id',
  'account_id',
  'amount',
  'discount',
  'created_at',
  'shipped_at',
  'due_date',
  'active',
  'status',
  'country',
  'sku',
  'customer',
  'comment',
] as const;

const words = (...parts: string[]): string[] => parts.join(' ').split(' ');
const STATUSES = words('new paid packed shipped delivered returned');
const COUNTRIES = words(
  'DE FR NL BE AT CH IT ES PT PL CZ SK HU RO BG GR SE NO DK FI',
  'IE GB US CA MX BR AR JP KR CN IN AU NZ ZA EG MA TR IL AE SG',
);
const FIRST = words(
  'Anna Ben Clara David Eva Felix Greta Hugo Ida Jonas',
  'Karla Leon Mia Noah Olga Paul Rosa Sam Tara Ugo',
);
const LAST = words(
  'Meyer Schmidt Dubois Rossi Garcia Silva Novak Kowalski',
  'Jansen Berg Larsen Smith Brown Tanaka Kim Singh',
);
const WORDS = words(
  'please deliver before noon leave at the door call on arrival',
  'gift wrap fragile handle with care back entrance no invoice',
);
const UNICODE = ['café crème', 'Müller Straße', 'naïve façade', '東京 出荷', 'Zürich ✓', 'Ærø øl'];
/** Bytes UTF-8 needs beyond one per UTF-16 unit, for each UNICODE entry. */
const UNICODE_EXTRA = UNICODE.map((s) => Buffer.byteLength(s) - s.length);
const BASE_MS = Date.UTC(2023, 0, 1);

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const DAY_MS = 86_400_000;

/**
 * `YYYY-MM-DD` and `HH:MM:SS.mmm` of a UTC instant (1970 and later), without a Date object: the
 * generator makes two per row, and toISOString() was most of its time.
 */
function utcParts(ms: number): { date: string; time: string } {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const ms3 = String(millis).padStart(3, '0');
  return {
    date: `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`,
    time: `${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${ms3}`,
  };
}

/** A small, fast, seeded generator (mulberry32): the same seed always gives the same file. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Row {
  /** The CSV line, without its line break. */
  readonly text: string;
  /** UTF-8 bytes of `text`. */
  readonly bytes: number;
  /** Line breaks inside quoted fields (the line count is rows + header + these). */
  readonly innerBreaks: number;
}

/** Makes row after row; `id` counts from 1. */
export function rowMaker(seed: number): () => Row {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let id = 0;
  return () => {
    id++;
    const created = BASE_MS + Math.floor(r() * 6e10);
    const createdAt = utcParts(created);
    let shipped = '';
    if (r() >= 0.2) {
      const at = utcParts(created + Math.floor(r() * 1.2e9));
      shipped = `${at.date}T${at.time}Z`;
    }
    // A date without a time: when the order is due, a few weeks on, unset on one order in ten.
    const dueDate = r() < 0.1 ? '' : utcParts(created + Math.floor(r() * 30) * DAY_MS).date;
    const discount = r() < 0.25 ? '' : r().toFixed(4);
    const amount = ((Math.floor(r() * 5_000_000) - 100_000) / 100).toFixed(2);
    const sku = `SKU-${String(Math.floor(r() * 200_000)).padStart(6, '0')}`;
    let comment = '';
    let innerBreaks = 0;
    let extraBytes = 0;
    const u = r();
    if (u < 0.35) comment = '';
    else if (u < 0.8) comment = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`;
    else if (u < 0.92) comment = `"${pick(WORDS)}, ${pick(WORDS)}, ${pick(WORDS)} ${Math.floor(r() * 100)}"`;
    else if (u < 0.96) {
      comment = `"${pick(WORDS)} ${pick(WORDS)}\n${pick(WORDS)} ${pick(WORDS)}"`;
      innerBreaks = 1;
    } else if (u < 0.98) comment = `"${pick(WORDS)} ""${pick(WORDS)}"" ${pick(WORDS)}"`;
    else {
      const k = Math.floor(r() * UNICODE.length);
      comment = `${UNICODE[k]} ${pick(WORDS)}`;
      extraBytes = UNICODE_EXTRA[k]!;
    }
    const text =
      `${id},${1 + Math.floor(r() * 2_000_000)},${amount},${discount},` +
      `${createdAt.date} ${createdAt.time.slice(0, 8)},${shipped},${dueDate},${r() < 0.7 ? 'true' : 'false'},` +
      `${pick(STATUSES)},${pick(COUNTRIES)},${sku},${pick(FIRST)} ${pick(LAST)},${comment}`;
    return { text, bytes: text.length + extraBytes, innerBreaks };
  };
}
