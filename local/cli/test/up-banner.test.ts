import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readyBanner, tokenCommand } from '../up-banner';

const ROOT = resolve(__dirname, '../../..');

const facts = {
  console: 'http://127.0.0.1:4100',
  api: 'http://127.0.0.1:4200',
  user: 'local-user',
  clientEnv: {
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4300',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_REGION: 'us-east-1',
  },
  logFile: '.reelay/logs/local.log',
  dataDir: '.reelay/data/local',
};

describe('npm run up, once ready', () => {
  it('prints the console URL first, and a command that sets $TOKEN instead of the token itself', () => {
    const lines = readyBanner(facts);

    expect(lines[0]).toBe('console:  http://127.0.0.1:4100');
    expect(lines).toContain('token:    export TOKEN=$(npm run -s token -- local-user)');
    expect(lines).toContain(
      '          then: curl -H "authorization: Bearer $TOKEN" http://127.0.0.1:4200/jobs',
    );
    // No JSON Web Token (three base64url parts) anywhere in what a person reads.
    expect(lines.join('\n')).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(lines.find((l) => l.startsWith('aws env:'))).toBe(
      'aws env:  AWS_ENDPOINT_URL_S3=http://127.0.0.1:4300 AWS_ACCESS_KEY_ID=AKIAEXAMPLE',
    );
  });

  it("names a script that prints the user's dev token, and only the token, on stdout", () => {
    // The command is `npm run -s token -- <user>`: the root token script runs local/cli/token.ts.
    const scripts = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    expect(tokenCommand('local-user')).toBe('export TOKEN=$(npm run -s token -- local-user)');
    expect(scripts.token).toMatch(/ local\/cli\/token\.ts$/);

    const printed = execFileSync(
      resolve(ROOT, 'node_modules/.bin/node'),
      ['--import', './scripts/register-ts.mjs', 'local/cli/token.ts', 'local-user'],
      { cwd: ROOT, encoding: 'utf8' },
    );

    const [token, ...rest] = printed.split('\n');
    expect(rest.join('')).toBe('');
    const claims = JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: 'local-user', iss: 'http://127.0.0.1/reelay-local-dev-issuer' });
  });
});
