import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './synth.js';

let app: App;
beforeAll(() => {
  // The alarm topic is optional; include it so its resources are checked too.
  ({ app } = buildApp({ props: { alarmEmail: 'ops@example.com' } }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
});

/** Unacknowledged findings of a rule pack, as `rule: construct paths` lines. */
function findings(pack: NagPack): string[] {
  return pack
    .validateScope(app)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

/** Every acknowledgement in the app: rule id, reason and where it was made. */
function acknowledgements(): Array<{ id: string; reason: unknown; path: string }> {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

describe('cdk-nag', () => {
  it('AwsSolutions reports no unacknowledged error or warning', () => {
    expect(findings(new AwsSolutionsChecks())).toEqual([]);
  });

  it('ServerlessChecks reports no unacknowledged error or warning', () => {
    expect(findings(new ServerlessChecks())).toEqual([]);
  });

  it('every acknowledgement carries a reason of at least a sentence', () => {
    const acks = acknowledgements();
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(
        typeof ack.reason === 'string' && ack.reason.trim().length >= 40,
        `${ack.id} at ${ack.path}`,
      ).toBe(true);
    }
  });

  it('wildcard IAM resources are acknowledged one by one, never the IAM5 rule as a whole', () => {
    const iam5 = acknowledgements().filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) {
      // Resource "*" only for X-Ray, which takes no narrower resource.
      if (ack.id === 'AwsSolutions-IAM5[Resource::*]') expect(ack.reason).toMatch(/xray:PutTraceSegments/);
      else expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::<[A-Za-z0-9]+\.Arn>\/.+\*\]$/);
    }
  });

  it('the app synthesizes with both rule packs registered as validation plugins, as bin/app.ts does', () => {
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ summary?: { status?: string }; violations?: unknown[] }>;
    };
    for (const plugin of report.pluginReports) expect(plugin.violations ?? []).toEqual([]);
  });
});
