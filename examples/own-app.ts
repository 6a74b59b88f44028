// In your app, import from where you keep bronze-ingest, e.g. 'bronze-ingest/lib/index.js'.
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { BronzeIngest } from '../lib/index.js';

/** A platform team's stack: bronze-ingest for its invoices, and read access for its analysts. */
export class InvoicesStack extends Stack {
  public readonly invoices: BronzeIngest;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.invoices = new BronzeIngest(this, 'Invoices', {
      // Contracts inline (or a folder: `datasets: 'datasets/'`), validated at synth time.
      datasets: [
        {
          ingestion_key: 'invoices',
          sources: [{ bucket: 'landing', prefix: 'invoices/', suffix: '.csv' }],
          columns: [
            { name: 'invoice_id', type: 'int64', nullable: false },
            { name: 'customer_id' },
            { name: 'amount', type: 'double' },
          ],
        },
      ],
      alarmEmail: 'data-oncall@example.com',
      sweepSchedule: events.Schedule.rate(Duration.hours(1)),
      ingestMemorySize: 2048,
    });

    const analysts = new iam.Role(this, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() });
    this.invoices.grantReadBronze(analysts);
    this.invoices.grantReadLedger(analysts);

    // One execution per completed file; the input is the event's detail (see "Outcome events").
    const loadInvoice = new sfn.StateMachine(this, 'LoadInvoice', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(this, 'LoadIntoSilver')),
    });
    new events.Rule(this, 'OnInvoiceCompleted', {
      eventBus: this.invoices.outcomeEvents.eventBus,
      eventPattern: this.invoices.outcomeEventPattern(['completed']),
      targets: [
        new targets.SfnStateMachine(loadInvoice, { input: events.RuleTargetInput.fromEventPath('$.detail') }),
      ],
    });
  }
}
