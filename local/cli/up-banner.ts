/**
 * What `npm run up` prints once ready (without --json): the console first, the one thing most
 * people open, then the API with a ready-to-paste command for a bearer token. The token itself is
 * some 800 characters: inline, it buried the console's URL.
 */
export interface ReadyFacts {
  console: string;
  api: string;
  user: string;
  /** Environment for any AWS SDK or the AWS CLI (endpoints and the operator's keys). */
  clientEnv: Record<string, string>;
  logFile?: string;
  dataDir: string;
}

/**
 * Puts the user's bearer token in $TOKEN: `npm run token` signs with the same machine-wide dev key
 * the running API verifies (local/cloud/src/dev-issuer.ts), so it works against this cloud.
 */
export function tokenCommand(user: string): string {
  return `export TOKEN=$(npm run -s token -- ${user})`;
}

export function readyBanner(facts: ReadyFacts): string[] {
  const awsEnv = Object.entries(facts.clientEnv)
    .filter(
      ([k]) =>
        k.startsWith('AWS_ENDPOINT_URL_') || k.startsWith('AWS_ACCESS_KEY_ID') || k.startsWith('AWS_SECRET'),
    )
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `console:  ${facts.console}`,
    `api:      ${facts.api}   (GET ${facts.api}/openapi.json)`,
    `token:    ${tokenCommand(facts.user)}`,
    `          then: curl -H "authorization: Bearer $TOKEN" ${facts.api}/jobs`,
    `aws env:  ${awsEnv}`,
    `logs:     ${facts.logFile ?? '(in memory)'}`,
    `data:     ${facts.dataDir}   (npm run up -- --fresh starts empty)`,
  ];
}
