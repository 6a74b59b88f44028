import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/core/config.js';
import {
  type FinalStatus,
  OUTCOME_DETAIL_TYPES,
  OUTCOME_EVENT_SOURCE,
} from '../../lambdas/core/outcome-events.js';

export interface OutcomeEventsProps {
  /**
   * Bus that receives the outcome events.
   * @default - the account's default bus
   */
  readonly eventBus?: events.IEventBus;
}

/**
 * Where the ingest function announces completed, rejected and exhausted files (source
 * `bronze-ingest`, detail-types `Bronze File Completed|Rejected|Exhausted`), and the pattern
 * downstream rules match them with. The bus is never created here: the default bus, or one the
 * app owns, so any number of pipelines can share it.
 */
export class OutcomeEvents extends Construct {
  /** The bus outcome events go to. */
  public readonly eventBus: events.IEventBus;
  private readonly defaultBus: boolean;

  constructor(scope: Construct, id: string, props: OutcomeEventsProps = {}) {
    super(scope, id);
    this.defaultBus = !props.eventBus;
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
  }

  /** Lets a function put events on the bus (and nowhere else) and tells it which bus. */
  public grantPublish(fn: lambda.Function): void {
    this.eventBus.grantPutEventsTo(fn);
    // An ARN also reaches a bus of another account; `default` keeps the local stack working.
    fn.addEnvironment(ENV.outcomeEventBus, this.defaultBus ? 'default' : this.eventBus.eventBusArn);
  }

  /** The event pattern of the given final outcomes (all three by default), optionally of some datasets. */
  public static pattern(
    statuses: readonly FinalStatus[] = ['completed', 'rejected', 'exhausted'],
    datasets?: readonly string[],
  ): events.EventPattern {
    return {
      source: [OUTCOME_EVENT_SOURCE],
      detailType: statuses.map((s) => OUTCOME_DETAIL_TYPES[s]),
      ...(datasets?.length ? { detail: { dataset: [...datasets] } } : {}),
    };
  }
}
