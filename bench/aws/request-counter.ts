/**
 * Counts the HTTP requests AWS SDK clients send, by service and operation. The middleware sits in
 * the deserialize step, below the retry middleware, so each attempt of a retried call counts.
 */

type Handler = (args: unknown) => Promise<unknown>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;
interface CountableStack {
  add(middleware: Middleware, options: { step: 'deserialize'; name: string }): void;
}

export class RequestCounter {
  private counts = new Map<string, number>();

  /** Starts counting a client's requests under `service` (e.g. "DynamoDB"). */
  attach(client: { middlewareStack: unknown }, service: string): void {
    // The SDK's stack types are generic per client; only this one overload is used.
    const stack = client.middlewareStack as CountableStack;
    stack.add(
      (next, context) => async (args) => {
        this.record(`${service} ${(context.commandName ?? 'unknown').replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'deserialize', name: `benchRequestCounter${service}` },
    );
  }

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  /** The counts since the last call, and starts over. */
  take(): Record<string, number> {
    const taken = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    this.counts = new Map();
    return taken;
  }
}

/** Sum of the counts of one service ("DynamoDB") or of every service. */
export function total(counts: Record<string, number>, service?: string): number {
  return Object.entries(counts)
    .filter(([op]) => !service || op.startsWith(`${service} `))
    .reduce((sum, [, n]) => sum + n, 0);
}
