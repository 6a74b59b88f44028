/**
 * What a measured child process reports: one JSON line on stdout, marked so that anything else a
 * library prints there cannot be mistaken for it.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';

export const RESULT_MARK = 'BENCH_RESULT ';

export interface ChildResult {
  /** Wall time of the measured work only (not process start or module loading). */
  readonly wallMs: number;
  /** User + system CPU of the whole process over the same span, all threads. */
  readonly cpuMs: number;
  /** Peak resident set of the process over its whole life, in MiB. */
  readonly maxRssMiB: number;
  /** Data rows converted (raw read: data rows of the file, known from the generator). */
  readonly rows: number;
  readonly outBytes: number;
  /** Time in garbage collection pauses of the main thread, when observed. */
  readonly gcMs?: number;
  /** Raw read only: line breaks counted, checked against the generator's count. */
  readonly newlines?: number;
  /** Small files: files converted in the measured span, and bytes allocated over it. */
  readonly files?: number;
  readonly heapBytes?: number;
  readonly externalBytes?: number;
}

export type WorkResult = Pick<
  ChildResult,
  'rows' | 'outBytes' | 'newlines' | 'files' | 'heapBytes' | 'externalBytes'
>;

/** Starts adding up garbage-collection pauses; the returned function reads the total in ms. */
export function observeGc(): () => number {
  let ms = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) ms += entry.duration;
  }).observe({ entryTypes: ['gc'] });
  return () => ms;
}

/** Reads `--name value` from the child's arguments. */
export function argValue(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

/** Times `work`; prints the result line. */
export async function measure(work: () => Promise<WorkResult>, gc?: () => number): Promise<void> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const done = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // Observed GC entries are delivered on a later turn of the event loop.
  if (gc) await new Promise((resolve) => setTimeout(resolve, 50));
  const result: ChildResult = {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    // maxRSS is in KiB on Linux.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    ...done,
    ...(gc ? { gcMs: gc() } : {}),
  };
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

/**
 * Starts counting the bytes allocated on the JS heap and outside it (array buffers): the growth of
 * each between garbage collections, as V8's GC profiler reports them, plus the growth since the
 * last one. Memory freed without a collection is not seen, so this is a lower bound; array buffers
 * are freed only by collections.
 */
export function allocationMeter(): () => { heapBytes: number; externalBytes: number } {
  const profiler = new GCProfiler();
  const startHeap = getHeapStatistics();
  profiler.start();
  return () => {
    const end = getHeapStatistics();
    const stats = profiler.stop()?.statistics ?? [];
    let heap = 0;
    let external = 0;
    let lastHeap = startHeap.used_heap_size;
    let lastExternal = startHeap.external_memory;
    for (const gc of stats) {
      heap += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - lastHeap);
      external += Math.max(0, gc.beforeGC.heapStatistics.externalMemory - lastExternal);
      lastHeap = gc.afterGC.heapStatistics.usedHeapSize;
      lastExternal = gc.afterGC.heapStatistics.externalMemory;
    }
    heap += Math.max(0, end.used_heap_size - lastHeap);
    external += Math.max(0, end.external_memory - lastExternal);
    return { heapBytes: heap, externalBytes: external };
  };
}
