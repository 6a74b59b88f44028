/** Option parsers: they throw commander's InvalidArgumentError, which ends the command with exit 1. */
import { InvalidArgumentError } from 'commander';
import { FILE_STATUSES, type FileStatus } from '../lambdas/core/ledger.js';

/** A whole number greater than zero. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number greater than 0');
  }
  return n;
}

/** One of the ledger's statuses. */
export function fileStatus(value: string): FileStatus {
  const status = FILE_STATUSES.find((s) => s === value.toLowerCase());
  if (!status) throw new InvalidArgumentError(`expected one of ${FILE_STATUSES.join(', ')}`);
  return status;
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A time: ISO 8601 (`2024-03-01`, `2024-03-01T12:00:00Z`) or an age before `now` (`30m`, `12h`, `7d`). */
export function pointInTime(value: string, now: Date): Date {
  const age = /^(\d+)([mhdw])$/.exec(value.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]!]!);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim()) || Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      'expected an ISO date or time (2024-03-01, 2024-03-01T12:00:00Z) or an age (30m, 12h, 7d)',
    );
  }
  return new Date(ms);
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
