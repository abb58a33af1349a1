import { TaskTokens } from '../../aws-json/src/sfn/task-tokens';
import { jsonOperation } from '../../src/iam/json-actions';
import { s3Operation } from '../../src/iam/s3-actions';

const scope = { region: 'us-east-1', accountId: '000000000000' };
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/reelay-jobs-local';

describe('the IAM action and resource of each S3 request', () => {
  it.each([
    ['GET', '/b/jobs/j1/final.mp4', '', {}, 's3:GetObject', 'arn:aws:s3:::b/jobs/j1/final.mp4'],
    ['HEAD', '/b/jobs/j1/final.mp4', '', {}, 's3:GetObject', 'arn:aws:s3:::b/jobs/j1/final.mp4'],
    ['GET', '/b/jobs/a%20b.mp4', '', {}, 's3:GetObject', 'arn:aws:s3:::b/jobs/a b.mp4'],
    ['PUT', '/b/uploads/u/1.png', '', {}, 's3:PutObject', 'arn:aws:s3:::b/uploads/u/1.png'],
    ['POST', '/b/jobs/x.mp4', 'uploads', {}, 's3:PutObject', 'arn:aws:s3:::b/jobs/x.mp4'],
    ['PUT', '/b/jobs/x.mp4', 'partNumber=1&uploadId=u', {}, 's3:PutObject', 'arn:aws:s3:::b/jobs/x.mp4'],
    ['DELETE', '/b/jobs/x.mp4', 'uploadId=u', {}, 's3:AbortMultipartUpload', 'arn:aws:s3:::b/jobs/x.mp4'],
    ['DELETE', '/b/jobs/x.mp4', '', {}, 's3:DeleteObject', 'arn:aws:s3:::b/jobs/x.mp4'],
    ['GET', '/b', 'list-type=2&prefix=jobs%2F', {}, 's3:ListBucket', 'arn:aws:s3:::b'],
    ['HEAD', '/b', '', {}, 's3:ListBucket', 'arn:aws:s3:::b'],
    ['PUT', '/b', '', {}, 's3:CreateBucket', 'arn:aws:s3:::b'],
    ['PUT', '/b', 'lifecycle', {}, 's3:PutLifecycleConfiguration', 'arn:aws:s3:::b'],
    ['GET', '/', '', {}, 's3:ListAllMyBuckets', '*'],
  ])('%s %s?%s is %s on %s', (method, rawPath, rawQuery, headers, action, resource) => {
    // Act
    const op = s3Operation({
      method,
      rawPath,
      query: Object.fromEntries(new URLSearchParams(rawQuery)),
      headers,
    });
    // Assess
    expect(op.requests[0]).toMatchObject({ action, resource });
  });

  it('gives a listing its s3:prefix and s3:delimiter condition keys', () => {
    // Act
    const op = s3Operation({
      method: 'GET',
      rawPath: '/b',
      query: { 'list-type': '2', prefix: 'jobs/j1/', delimiter: '/' },
      headers: {},
    });
    // Assess
    expect(op.requests[0]?.context).toEqual({ 's3:prefix': 'jobs/j1/', 's3:delimiter': '/' });
  });

  it('checks a copy as a write of the target and a read of the source', () => {
    // Act
    const op = s3Operation({
      method: 'PUT',
      rawPath: '/b/jobs/j1/input.png',
      query: {},
      headers: { 'x-amz-copy-source': '/b/uploads/u/1.png' },
    });
    // Assess
    expect(op.requests).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/jobs/j1/input.png' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/u/1.png' },
    ]);
  });

  it('marks only plain object reads as the ones whose 404 depends on s3:ListBucket', () => {
    expect(s3Operation({ method: 'HEAD', rawPath: '/b/k', query: {}, headers: {} }).isObjectRead).toBe(true);
    expect(s3Operation({ method: 'PUT', rawPath: '/b/k', query: {}, headers: {} }).isObjectRead).toBe(false);
    expect(s3Operation({ method: 'GET', rawPath: '/b', query: {}, headers: {} }).isObjectRead).toBe(false);
  });
});

describe('the IAM actions and resources of each JSON-protocol request', () => {
  it('checks a DynamoDB item operation on the table and a query on an index on the index ARN', () => {
    expect(jsonOperation('dynamodb', 'GetItem', { TableName: 'reelay-jobs-local' }, scope)).toEqual([
      { action: 'dynamodb:GetItem', resource: TABLE },
    ]);
    expect(
      jsonOperation('dynamodb', 'Query', { TableName: 'reelay-jobs-local', IndexName: 'byUser' }, scope),
    ).toEqual([{ action: 'dynamodb:Query', resource: `${TABLE}/index/byUser` }]);
  });

  it('checks TransactWriteItems as the item actions on each item table (there is no such IAM action)', () => {
    // Act
    const requests = jsonOperation(
      'dynamodb',
      'TransactWriteItems',
      {
        TransactItems: [
          { Put: { TableName: 'a' } },
          { Update: { TableName: 'b' } },
          { ConditionCheck: { TableName: 'a' } },
          { Delete: { TableName: 'a' } },
        ],
      },
      scope,
    );
    // Assess
    const arn = (t: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${t}`;
    expect(requests).toEqual([
      { action: 'dynamodb:PutItem', resource: arn('a') },
      { action: 'dynamodb:UpdateItem', resource: arn('b') },
      { action: 'dynamodb:ConditionCheckItem', resource: arn('a') },
      { action: 'dynamodb:DeleteItem', resource: arn('a') },
    ]);
  });

  it('checks a batch on every table it names', () => {
    expect(
      jsonOperation('dynamodb', 'BatchGetItem', { RequestItems: { a: {}, b: {} } }, scope).map(
        (r) => r.resource,
      ),
    ).toEqual([
      'arn:aws:dynamodb:us-east-1:000000000000:table/a',
      'arn:aws:dynamodb:us-east-1:000000000000:table/b',
    ]);
  });

  it('checks SQS calls on the queue ARN of their URL, batches as the single action', () => {
    const url = 'http://127.0.0.1:4566/000000000000/reelay-local-notify';
    const arn = 'arn:aws:sqs:us-east-1:000000000000:reelay-local-notify';
    expect(jsonOperation('sqs', 'SendMessage', { QueueUrl: url }, scope)).toEqual([
      { action: 'sqs:SendMessage', resource: arn },
    ]);
    expect(jsonOperation('sqs', 'DeleteMessageBatch', { QueueUrl: url }, scope)).toEqual([
      { action: 'sqs:DeleteMessage', resource: arn },
    ]);
    expect(jsonOperation('sqs', 'GetQueueUrl', { QueueName: 'reelay-local-notify' }, scope)).toEqual([
      { action: 'sqs:GetQueueUrl', resource: arn },
    ]);
  });

  it('checks PutEvents once per bus its entries name (the default bus when none)', () => {
    expect(
      jsonOperation(
        'events',
        'PutEvents',
        { Entries: [{ EventBusName: 'reelay-local' }, {}, { EventBusName: 'reelay-local' }] },
        scope,
      ),
    ).toEqual([
      {
        action: 'events:PutEvents',
        resource: 'arn:aws:events:us-east-1:000000000000:event-bus/reelay-local',
      },
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
    ]);
  });

  it('checks rules on a custom bus on rule/<bus>/<name>, replays on their replay ARN', () => {
    expect(
      jsonOperation('events', 'PutRule', { Name: 'r', EventBusName: 'reelay-local' }, scope)[0]?.resource,
    ).toBe('arn:aws:events:us-east-1:000000000000:rule/reelay-local/r');
    expect(jsonOperation('events', 'StartReplay', { ReplayName: 'p' }, scope)[0]?.resource).toBe(
      'arn:aws:events:us-east-1:000000000000:replay/p',
    );
  });

  it('checks Step Functions calls on the state machine or the execution they name', () => {
    const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:render';
    const execution = 'arn:aws:states:us-east-1:000000000000:execution:render:job-1';
    expect(jsonOperation('states', 'StartExecution', { stateMachineArn: machine }, scope)).toEqual([
      { action: 'states:StartExecution', resource: machine },
    ]);
    expect(jsonOperation('states', 'StopExecution', { executionArn: execution }, scope)).toEqual([
      { action: 'states:StopExecution', resource: execution },
    ]);
    expect(
      jsonOperation('states', 'ListExecutions', { stateMachineArn: machine }, scope)[0]?.resource ?? '',
    ).toBe(machine);
  });
  it('checks SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat on "*": they have no resource type', () => {
    const token = new TaskTokens().mint('arn:aws:states:us-east-1:000000000000:execution:render:job-1');
    for (const operation of ['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'])
      expect(jsonOperation('states', operation, { taskToken: token }, scope)).toEqual([
        { action: `states:${operation}`, resource: '*' },
      ]);
  });
});
