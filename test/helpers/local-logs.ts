/**
 * Collects the structured log lines the in-process ingest handler writes (Powertools writes JSON
 * lines straight to process.stdout, warnings and errors to process.stderr), so tests can check
 * what it logged and why, without flooding the test output. Other output passes through.
 */
import { afterAll, beforeAll } from 'vitest';

export type LogLine = Record<string, unknown> & { readonly message?: string; readonly key?: string };

export interface HandlerLogs {
  /** Lines with this message (for example `file duplicate`), optionally for one source key. */
  find(message: string, key?: string): LogLine[];
  clear(): void;
}

type Write = typeof process.stdout.write;

function parse(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return undefined;
  }
}

function capturing(original: Write, seen: LogLine[]): Write {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const parsed = text.split('\n').filter(Boolean).map(parse);
    if (parsed.length > 0 && parsed.every((line) => line !== undefined)) {
      seen.push(...(parsed as LogLine[]));
      return true;
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as Write;
}

/** Captures JSON log lines for the calling test file. */
export function useHandlerLogs(): HandlerLogs {
  const seen: LogLine[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  beforeAll(() => {
    process.stdout.write = capturing(stdout.bind(process.stdout), seen);
    process.stderr.write = capturing(stderr.bind(process.stderr), seen);
  });
  afterAll(() => {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  });
  return {
    find: (message, key) => seen.filter((l) => l.message === message && (key === undefined || l.key === key)),
    clear: () => {
      seen.length = 0;
    },
  };
}
