import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, motoPython, startMoto } from '../../../local/moto.js';

describe('startMoto', () => {
  it('explains how to install moto, or use LocalStack, when moto_server is not on PATH', async () => {
    const start = startMoto({ command: 'moto_server_that_does_not_exist' });

    await expect(start).rejects.toThrow('pip install "moto[server]==5.2.1"');
    await expect(start).rejects.toThrow(/npm run test:localstack.*localstack\/README\.md/);
  });

  it('finds a free loopback port', async () => {
    const port = await findFreePort();

    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });

  describe('the Python that runs moto_server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moto-script-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const script = (firstLine: string) => {
      const path = join(dir, `moto_server-${Math.random().toString(36).slice(2)}`);
      writeFileSync(path, `${firstLine}\nimport sys\n`);
      return path;
    };

    it.each([
      ['#!/opt/venvs/moto/bin/python3.11', '/opt/venvs/moto/bin/python3.11'],
      ['#!/usr/bin/python3', '/usr/bin/python3'],
      ['#!/usr/bin/env python3', 'python3'],
      ['#! /usr/bin/env python3.12', 'python3.12'],
      ['#!/usr/bin/env bash', 'python3'],
      ['#!/bin/sh', 'python3'],
      ['no shebang at all', 'python3'],
    ])('is read from a script starting %j as %j', (firstLine, python) => {
      expect(motoPython(script(firstLine))).toBe(python);
    });
  });
});
