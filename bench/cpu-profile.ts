/** Self time per function from a V8 .cpuprofile (as `node --cpu-prof` writes it). */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly fn: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

/** Functions by self time, largest first; `(idle)` excluded, since a pinned child waits on I/O at times. */
export function selfTimes(file: string): { total: number; idleMs: number; top: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = new Map<string, { fn: string; where: string; us: number }>();
  let idle = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    const fn = functionName || '(anonymous)';
    const where = url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const key = `${fn} ${where}`;
    const entry = times.get(key) ?? { fn, where, us: 0 };
    entry.us += dt;
    times.set(key, entry);
  });
  const top = [...times.values()]
    .sort((a, b) => b.us - a.us)
    .map((t) => ({ fn: t.fn, where: t.where, ms: t.us / 1000, share: t.us / total }));
  return { total: total / 1000, idleMs: idle / 1000, top };
}
