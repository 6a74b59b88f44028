import type { ColumnEncoder } from './column.js';

// Idle encoder sets kept per schema: enough for the files one invocation converts at once.
const MAX_IDLE_PER_SCHEMA = 4;
// Schemas remembered; the oldest is forgotten past this (a Lambda serves a handful of contracts).
const MAX_SCHEMAS = 16;

const idle = new Map<string, ColumnEncoder[][]>();

/**
 * Column encoders for a writer of the schema `key`: an idle set a finished writer gave back, or
 * new ones from `make`. Reusing them spares each small file the allocation of a writer's buffers
 * (pages, chunks, dictionaries, statistics), which cost more than converting its rows.
 */
export function takeEncoders(key: string, make: () => ColumnEncoder[]): ColumnEncoder[] {
  return idle.get(key)?.pop() ?? make();
}

/** Gives a finished writer's encoders back for the next writer of the same schema. */
export function giveBackEncoders(key: string, encoders: ColumnEncoder[]): void {
  if (!encoders.every((e) => e.recycle)) return;
  let sets = idle.get(key);
  if (!sets) {
    if (idle.size >= MAX_SCHEMAS) idle.delete(idle.keys().next().value!);
    sets = [];
    idle.set(key, sets);
  }
  if (sets.length >= MAX_IDLE_PER_SCHEMA) return;
  for (const e of encoders) e.recycle!();
  sets.push(encoders);
}
