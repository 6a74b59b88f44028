import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DatasetSource } from './landing-storage.js';

export interface SourceEventsProps {
  /** The registered dataset sources; only their objects reach the queue. */
  readonly sources: readonly DatasetSource[];
  /** Where matching "Object Created" events go. */
  readonly queue: sqs.IQueue;
  /** Where events go that EventBridge fails to deliver to the queue. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** Escapes the two characters EventBridge wildcard patterns treat specially. */
function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}

/** The wildcard that matches a source's keys: prefix, anything, suffix. */
export function keyWildcard(prefix: string, suffix: string): string {
  return `${escapeWildcard(prefix)}*${escapeWildcard(suffix)}`;
}

/**
 * One EventBridge rule per source bucket, matching "Object Created" events whose key lies under a
 * registered prefix and ends in its suffix. The key is matched with `wildcard` (`prefix*suffix`)
 * because EventBridge allows only one of prefix or suffix per value filter, and a wildcard is the
 * one operator that expresses both; moto 5.2's pattern matcher implements it too.
 */
export class SourceEvents extends Construct {
  /** The rules, one per source bucket. */
  public readonly rules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: SourceEventsProps) {
    super(scope, id);
    const byBucket = new Map<s3.IBucket, Set<string>>();
    for (const source of props.sources) {
      const keys = byBucket.get(source.bucket) ?? new Set<string>();
      keys.add(keyWildcard(source.prefix, source.suffix));
      byBucket.set(source.bucket, keys);
    }
    const rules: events.Rule[] = [];
    for (const [bucket, keys] of byBucket) {
      const external = props.sources.some((s) => s.bucket === bucket && s.external);
      const rule = new events.Rule(this, external ? `Source-${bucket.bucketName}` : 'Landing', {
        description: 'S3 "Object Created" events of registered dataset sources, to the ingest queue',
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [bucket.bucketName] },
            object: { key: [...keys].map((wildcard) => ({ wildcard })) },
          },
        },
      });
      rule.addTarget(new targets.SqsQueue(props.queue, { deadLetterQueue: props.deadLetterQueue }));
      rules.push(rule);
    }
    this.rules = rules;
  }
}
