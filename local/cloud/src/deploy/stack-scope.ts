import { CLOUD_ONLY_TYPES } from './cloud-only-types';
import { type ResolveContext, resolve } from './intrinsics';
import type { LocalCloudState, StackInput } from './stack-specs';
import type { CloudFormationResource } from './template';

/**
 * A resource's Properties after intrinsics are resolved: free-form JSON whose shape depends on the
 * resource type, read field by field by its deployer (CloudFormation's own schema checks them in AWS).
 */
// biome-ignore lint/suspicious/noExplicitAny: free-form CloudFormation Properties, read per resource type
export type ResolvedProperties = Record<string, any>;

/** What a deployed resource answers to Ref and Fn::GetAtt. */
export interface Deployed {
  ref: string;
  attrs: Record<string, string>;
}

/** How the names of one stack resolve: its parameters, pseudo parameters, deployed resources and imports. */
export interface StackScope {
  context: ResolveContext;
  /** A resource's Properties with every intrinsic resolved. */
  props(resource: CloudFormationResource): ResolvedProperties;
  /** The physical name of a role of the template. */
  roleName(logicalId: string): string;
}

/**
 * The resolve context of one stack. Resources not deployed locally still resolve: a role to the name
 * (and ARN) AWS would give it, a cloud-only resource to a stable placeholder.
 */
export function stackScope(
  stack: StackInput,
  account: { region: string; accountId: string },
  deployed: ReadonlyMap<string, Deployed>,
  cloud: LocalCloudState,
): StackScope {
  const { region, accountId } = account;
  const resources = stack.template.Resources;
  const placeholder = (id: string): string | undefined =>
    resources[id] && CLOUD_ONLY_TYPES[resources[id].Type] ? `${stack.stackName}-${id}` : undefined;
  const context: ResolveContext = {
    pseudo: pseudoParameters(stack.stackName, region, accountId),
    parameters: Object.fromEntries(
      Object.entries(stack.template.Parameters ?? {}).map(([k, p]) => [k, p.Default ?? '']),
    ),
    ref: (id) =>
      deployed.get(id)?.ref ??
      (resources[id]?.Type === 'AWS::IAM::Role' ? roleName(id) : undefined) ??
      placeholder(id),
    getAtt: (id, attr) => {
      const d = deployed.get(id);
      if (d) return d.attrs[attr];
      if (resources[id]?.Type === 'AWS::IAM::Role' && attr === 'Arn')
        return `arn:aws:iam::${accountId}:role/${roleName(id)}`;
      const name = placeholder(id);
      return name === undefined ? undefined : `arn:aws:local:${region}:${accountId}:${name}`;
    },
    importValue: (name) => cloud.exports.get(name),
  };
  // A role's name (and so its ARN) is known before anything is deployed: RoleName uses only
  // parameters and pseudo parameters, or CloudFormation generates one from the stack.
  const roleName = (id: string): string => {
    const given = resources[id]?.Properties?.RoleName;
    return given === undefined ? `${stack.stackName}-${id}` : String(resolve(given, context));
  };
  return {
    context,
    props: (resource) => resolve(resource.Properties ?? {}, context) as ResolvedProperties,
    roleName,
  };
}

function pseudoParameters(stackName: string, region: string, accountId: string): Record<string, string> {
  return {
    'AWS::AccountId': accountId,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`,
  };
}
