/** The parts of a packaged CloudFormation template that the local cloud and the tests read. */
export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

export interface CloudFormationOutput {
  Value: unknown;
  Description?: string;
  Export?: { Name: unknown };
  Condition?: string;
}

export interface CloudFormationTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
  Resources: Record<string, CloudFormationResource>;
  Outputs?: Record<string, CloudFormationOutput>;
}

export const isCloudFormationTemplate = (value: unknown): value is CloudFormationTemplate =>
  typeof value === 'object' &&
  value !== null &&
  'Resources' in value &&
  typeof value.Resources === 'object' &&
  value.Resources !== null;
