import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { noProgress, terminalProgress } from '../../../cli/progress.js';
import { Session } from '../../../cli/session.js';

/** A stream that says it is a terminal and keeps what is drawn on it. */
function fakeTerminal() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  const drawn: string[] = [];
  stream.on('data', (chunk: Buffer) => drawn.push(chunk.toString()));
  return { stream, drawn: () => drawn.join('') };
}

function session(options: { errIsTTY: boolean; json?: boolean }, stream: NodeJS.WritableStream) {
  const sink = { out: () => undefined, err: () => undefined, errIsTTY: options.errIsTTY };
  return new Session({ env: {}, sink, progressStream: stream }, { json: options.json ?? false });
}

describe('progress', () => {
  it('draws a bar with counts on a terminal', () => {
    const terminal = fakeTerminal();
    const bar = terminalProgress(terminal.stream)('reconciling');
    bar.update(3, 10);
    bar.update(10, 10);
    bar.stop();
    expect(terminal.drawn()).toContain('reconciling');
    expect(terminal.drawn()).toMatch(/\d+\/10/);
  });

  it('draws a count without a bar while the total is unknown (listing)', () => {
    const terminal = fakeTerminal();
    const bar = terminalProgress(terminal.stream)('listing');
    bar.update(1000);
    bar.stop();
    expect(terminal.drawn()).toContain('listing 1000');
  });

  it('is drawn only when stderr is a terminal and the output is not JSON', () => {
    const { stream } = fakeTerminal();
    expect(session({ errIsTTY: true }, stream).progress).not.toBe(noProgress);
    expect(session({ errIsTTY: true, json: true }, stream).progress).toBe(noProgress);
    expect(session({ errIsTTY: false }, stream).progress).toBe(noProgress);
  });
});
