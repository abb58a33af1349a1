import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { DevIssuer } from '../src/dev-issuer';

describe('the local dev token issuer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelay-issuer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const verifierFor = (issuer: DevIssuer, configuredIssuer: string) => {
    const verifier = JwtRsaVerifier.create({
      issuer: configuredIssuer,
      audience: DevIssuer.AUDIENCE,
      jwksUri: 'http://127.0.0.1:9/jwks.json',
    });
    verifier.cacheJwks(issuer.jwks() as never, configuredIssuer);
    return verifier;
  };

  it('keeps its key on disk (owner-only), so a token printed earlier verifies against a later cloud', async () => {
    const file = join(dir, 'key.json');
    const token = DevIssuer.loadOrCreate(file).token('alice');

    const later = DevIssuer.loadOrCreate(file);

    await expect(verifierFor(later, DevIssuer.ISSUER).verify(token)).resolves.toMatchObject({ sub: 'alice' });
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('issues tokens that a verifier configured with another issuer (the cloud’s Cognito pool) refuses', async () => {
    const issuer = DevIssuer.loadOrCreate(join(dir, 'key.json'));
    const cloudIssuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example';

    await expect(verifierFor(issuer, cloudIssuer).verify(issuer.token('alice'))).rejects.toThrow(/issuer/i);
  });
});
