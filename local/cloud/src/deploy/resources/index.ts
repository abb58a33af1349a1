import { deployArchive, deployEventBus, deployRule } from './eventbridge';
import { deployAuthorizer, deployIntegration, deployRoute } from './http-api';
import { deployEventSourceMapping, deployFunction } from './lambda';
import type { ResourceDeployer } from './resource-deployer';
import { deploySqsQueue } from './sqs-queue';
import { deployStateMachine } from './state-machine';
import { deployBucket, deployTable } from './storage';

/** One deployer per resource type the embedded cloud runs; any other type must be listed as cloud-only. */
export const RESOURCE_DEPLOYERS: Readonly<Record<string, ResourceDeployer>> = {
  'AWS::SQS::Queue': deploySqsQueue,
  'AWS::Events::EventBus': deployEventBus,
  'AWS::Events::Archive': deployArchive,
  'AWS::Events::Rule': deployRule,
  'AWS::DynamoDB::Table': deployTable,
  'AWS::S3::Bucket': deployBucket,
  'AWS::Lambda::Function': deployFunction,
  'AWS::Lambda::EventSourceMapping': deployEventSourceMapping,
  'AWS::StepFunctions::StateMachine': deployStateMachine,
  'AWS::ApiGatewayV2::Integration': deployIntegration,
  'AWS::ApiGatewayV2::Authorizer': deployAuthorizer,
  'AWS::ApiGatewayV2::Route': deployRoute,
};

export { wireHttpApi } from './http-api';
export { templateRoles } from './iam-roles';
export type { StackDeployment } from './resource-deployer';
