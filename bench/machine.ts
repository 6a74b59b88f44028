/** The machine a run was measured on, and how busy it was. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { REPO_ROOT } from './paths.js';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly kernel: string;
  readonly duckdb: string;
  /** The commit measured, and whether the working tree had uncommitted changes to tracked files. */
  readonly commit: string;
  readonly dirty: boolean;
  readonly date: string;
  readonly loadAtStart: readonly number[];
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/node_modules/${name}/package.json`, 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    v8: process.versions.v8,
    kernel: release(),
    duckdb: `@duckdb/node-api ${packageVersion('@duckdb/node-api')}`,
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    date: new Date().toISOString(),
    loadAtStart: loadavg(),
  };
}

export function formatLoad(load: readonly number[]): string {
  return load.map((l) => l.toFixed(2)).join(' / ');
}
