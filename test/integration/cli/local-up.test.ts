/**
 * `bronze local up --samples` from the built bin (dist/bronze.mjs on plain Node, as `npx bronze`
 * runs it): the stack comes up, the sample files land in its landing bucket, and SIGTERM stops it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../../../local/samples.js';
import { ROOT } from './cli.js';

let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
});

/** Resolves with everything printed once `pattern` has appeared on stdout. */
function waitForOutput(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}:\n${seen}`)),
      timeoutMs,
    );
    proc.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}:\n${seen}`)));
  });
}

describe('bronze local up from the installed bin', () => {
  it('starts the stack, lands the sample files and stops on SIGTERM', async () => {
    execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'ignore' });
    child = spawn(process.execPath, ['dist/bronze.mjs', 'local', 'up', '--samples', '--log-level', 'ERROR'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, BRONZE_DEBUG: '1' },
    });
    const banner = await waitForOutput(child, /landed \d+ sample file\(s\)/, 110_000);
    const endpoint = /^endpoint\s+(\S+)/m.exec(banner)?.[1];
    const landing = /^landing bucket\s+(\S+)/m.exec(banner)?.[1];
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toContain(`landed ${sampleFiles().length} sample file(s)`);
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: landing }));
    s3.destroy();
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(sampleFiles().map((f) => f.key));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
