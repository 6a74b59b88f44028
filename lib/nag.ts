import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Flattens a resolved CloudFormation value the way cdk-nag names findings (`<Logical.Attr>/prefix*`). */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node !== null && typeof node === 'object') {
    const fn = node as Record<string, unknown>;
    if (fn['Fn::Join']) {
      const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (fn['Fn::Sub']) return flatten(fn['Fn::Sub']);
    if (fn['Fn::GetAtt']) {
      const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (fn.Ref) return `<${flatten(fn.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * Acknowledges AwsSolutions-IAM5 for exactly these wildcard resource ARNs on a grantee, so that
 * any other wildcard added later is still reported.
 */
export function acknowledgeWildcardResources(
  grantee: IConstruct,
  arns: Iterable<string>,
  reason: string,
): void {
  const stack = Stack.of(grantee);
  for (const arn of new Set(arns)) {
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(arn))}]`,
      reason,
    });
  }
}
