/** The parts of a CloudFormation template the local deployer reads. */
export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}
export interface CloudFormationTemplate {
  Resources: Record<string, CloudFormationResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  Parameters?: Record<string, { Default?: unknown }>;
}
