/**
 * Progress on long operations (sweep listing, reconcile, reset and reprocess of many files):
 * a bar on stderr, only when stderr is a terminal and the output is not JSON, so pipes and
 * scripts see clean output.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  /** Moves the bar; without a total the count is shown without a bar (listing). */
  update(done: number, total?: number): void;
  stop(): void;
}

/** Makes one progress display for one operation. */
export type ProgressFactory = (label: string) => Progress;

/** For JSON output, pipes and tests. */
export const noProgress: ProgressFactory = () => ({ update: () => undefined, stop: () => undefined });

/** A cli-progress bar on the given terminal stream. */
export function terminalProgress(stream: NodeJS.WritableStream): ProgressFactory {
  return (label) => {
    let bar: SingleBar | undefined;
    let counted = false;
    return {
      update(done, total) {
        if (!bar) {
          counted = total === undefined;
          const format = counted ? `${label} {value}` : `${label} [{bar}] {value}/{total} {eta_formatted}`;
          bar = new SingleBar(
            { stream, format, hideCursor: true, clearOnComplete: true },
            Presets.shades_classic,
          );
          bar.start(total ?? 0, done);
          return;
        }
        if (!counted && total !== undefined) bar.setTotal(total);
        bar.update(done);
      },
      stop() {
        bar?.stop();
        bar = undefined;
      },
    };
  };
}
