/**
 * Wall-clock time in an IANA zone to UTC. The zone's offset comes from Intl (the zone data Node
 * ships), cached per UTC hour: an hour whose start and end have the same offset holds no
 * transition (zones change offset at most once an hour), so every instant in it has that offset;
 * an hour with a transition is looked up per value.
 */

const HOUR = 3600;
const DAY = 86_400;
/** Enough hours for years of timestamps; the cache is dropped whole past this. */
const MAX_CACHED_HOURS = 100_000;

/** Whether `name` is a time zone Intl knows. */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Converts local wall-clock seconds (as if UTC) to UTC seconds in one zone. */
export type WallToUtc = (wallSeconds: number) => number;

/** The converter for `zone`; UTC converts nothing. */
export function wallToUtc(zone: string): WallToUtc {
  if (zone === 'UTC' || zone === 'Etc/UTC') return (s) => s;
  const offsets = new ZoneOffsets(zone);
  return (wall) => offsets.toUtc(wall);
}

/** Offsets of one zone, in seconds east of UTC. */
export class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly byHour = new Map<number, number>();

  constructor(zone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  /** The offset in force at `utcSeconds`. */
  offsetAt(utcSeconds: number): number {
    const hour = Math.floor(utcSeconds / HOUR);
    const cached = this.byHour.get(hour);
    if (cached !== undefined) return cached;
    const start = this.exactOffset(hour * HOUR);
    const end = this.exactOffset(hour * HOUR + HOUR - 1);
    if (start !== end) return this.exactOffset(utcSeconds);
    if (this.byHour.size >= MAX_CACHED_HOURS) this.byHour.clear();
    this.byHour.set(hour, start);
    return start;
  }

  /**
   * UTC of a wall-clock time. In a repeated hour (clocks set back) the earlier instant is taken;
   * a time skipped by clocks set forward is moved forward by the gap (02:30 becomes 03:30), as
   * java.time does.
   */
  toUtc(wall: number): number {
    const before = this.offsetAt(wall - DAY);
    const after = this.offsetAt(wall + DAY);
    if (before === after) {
      // No transition near: one lookup settles it, except a transition within the day itself.
      const u = wall - before;
      if (this.offsetAt(u) === before) return u;
    }
    const ub = wall - before;
    const ua = wall - after;
    const okB = this.offsetAt(ub) === before;
    const okA = this.offsetAt(ua) === after;
    if (okB && okA) return Math.min(ub, ua);
    if (okB) return ub;
    if (okA) return ua;
    return ub;
  }

  private exactOffset(utcSeconds: number): number {
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.format.formatToParts(new Date(utcSeconds * 1000))) {
      const v = Number(part.value);
      switch (part.type) {
        case 'year':
          year = v;
          break;
        case 'month':
          month = v;
          break;
        case 'day':
          day = v;
          break;
        case 'hour':
          hour = v;
          break;
        case 'minute':
          minute = v;
          break;
        case 'second':
          second = v;
          break;
        case 'era':
          bc = part.value.startsWith('B');
          break;
      }
    }
    const local = new Date(0);
    local.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    return Math.round(local.getTime() / 1000) - Math.floor(utcSeconds);
  }
}
