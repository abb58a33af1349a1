import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageService } from '../../../../local/packaging/src/package-service';
import { DEFAULT_STAGE } from '../../../../local/packaging/src/services';

const TEST_ONLY_SETTING = 'CALLBACK_TEST_ALLOW_LOOPBACK_HTTP';

describe('production configuration of the api', () => {
  it('never enables the test-only loopback callback setting in serverless.yml', () => {
    const yml = readFileSync(join(__dirname, '../../serverless.yml'), 'utf8');

    expect(yml).not.toContain(TEST_ONLY_SETTING);
  });

  it('packages no function whose environment carries the test-only setting', async () => {
    const { template } = await packageService('api', { stage: DEFAULT_STAGE, region: 'us-east-1' });

    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const environments = functions.map(
      (f) =>
        (f.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ??
        {},
    );
    expect(functions.length).toBeGreaterThan(0);
    for (const env of environments) expect(Object.keys(env)).not.toContain(TEST_ONLY_SETTING);
  }, 180_000);
});
