/** Memory a Node.js Lambda needs besides the V8 heap: code, I/O buffers, native and runtime memory. */
export const NON_HEAP_HEADROOM_MB = 96;

/**
 * The V8 old-space cap for a function of `memorySizeMb`. V8 sizes its heap from the host, not
 * from the function's memory setting, so without a cap it can grow past what Lambda allows and
 * the process is killed instead of collecting garbage; with it, memory is bounded by
 * configuration.
 */
export function heapLimitMb(memorySizeMb: number): number {
  return Math.max(64, memorySizeMb - NON_HEAP_HEADROOM_MB);
}

/** NODE_OPTIONS for a function of `memorySizeMb`: source-mapped stack traces and the heap cap. */
export function nodeOptionsFor(memorySizeMb: number): string {
  return `--enable-source-maps --max-old-space-size=${heapLimitMb(memorySizeMb)}`;
}
