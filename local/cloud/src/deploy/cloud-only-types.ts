/** Resource types that only matter in AWS (permissions, logs, monitoring), with the reason they are not emulated. */
export const CLOUD_ONLY_TYPES: Record<string, string> = {
  'AWS::IAM::Role': 'permissions are enforced by AWS only',
  'AWS::IAM::Policy': 'permissions are enforced by AWS only',
  'AWS::IAM::ManagedPolicy': 'permissions are enforced by AWS only',
  'AWS::Lambda::Permission': 'permissions are enforced by AWS only',
  'AWS::SQS::QueuePolicy': 'permissions are enforced by AWS only',
  'AWS::S3::BucketPolicy': 'permissions are enforced by AWS only',
  'AWS::Logs::LogGroup': 'local function logs go to the local log file',
  'AWS::Logs::SubscriptionFilter': 'local function logs go to the local log file',
  'AWS::Lambda::Version': 'the local Lambda runs $LATEST',
  'AWS::Lambda::Alias': 'the local Lambda runs $LATEST',
  'AWS::CloudWatch::Dashboard': 'CloudWatch is not emulated; the local console shows queues and jobs',
  'AWS::CloudWatch::Alarm': 'CloudWatch is not emulated; the local console shows queues and jobs',
  'AWS::SNS::Topic': 'alarm notifications exist only in AWS',
  'AWS::SNS::Subscription': 'alarm notifications exist only in AWS',
  'AWS::ApiGatewayV2::Stage': 'the local HTTP API has a single stage',
  'AWS::ApiGatewayV2::Api': 'the local HTTP API server stands for it; routes and integrations are wired',
  'AWS::Cognito::UserPool': 'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
  'AWS::Cognito::UserPoolClient':
    'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
  'AWS::Cognito::UserPoolDomain':
    'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
  'AWS::Cognito::UserPoolResourceServer':
    'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
};
