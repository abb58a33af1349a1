/**
 * docs/deploy.md stays true to the templates: it names every SSM parameter the code and the
 * templates read, and every resource name, output and stack it tells a reader to use exists in the
 * packaged templates (stage dev).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageAllServices, REPO_ROOT, SERVICES } from '../../local/packaging/src';
import { walk } from './intrinsics';
import type { Templates } from './template-checks';

const GUIDE = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
const STAGE = 'dev';

let templates: Templates;
beforeAll(async () => {
  const packaged = await packageAllServices();
  templates = Object.fromEntries(SERVICES.map((service) => [service, packaged[service].template]));
}, 600_000);

/** The template written with the guide's placeholders instead of the stage and the account. */
const asGuideText = (text: string) =>
  text
    .replaceAll(`/reelay/${STAGE}/`, '/reelay/<stage>/')
    .replaceAll(`-${STAGE}-`, '-<stage>-')
    .replaceAll(`-${STAGE}"`, '-<stage>"')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
    .replaceAll('${AWS::AccountId}', '<account>');

/** SSM parameter names the templates hand to functions (…_PARAMETER variables) or let roles read. */
const ssmNamesInTemplates = (all: Templates): Set<string> => {
  const names = new Set<string>();
  for (const template of Object.values(all))
    for (const { value, path } of walk(template.Resources)) {
      if (typeof value !== 'string') continue;
      if (/\.Variables\.[A-Z0-9_]+_PARAMETER$/.test(path)) names.add(value);
      for (const match of value.matchAll(/:parameter(\/[A-Za-z0-9_.\-/]+)/g)) names.add(match[1] ?? '');
    }
  return new Set([...names].map((name) => asGuideText(`${name}"`).slice(0, -1)));
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'test') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });

/**
 * Environment variables naming an SSM parameter (`*_PARAMETER`, the convention) that the code reads.
 * Any source file counts: the SSM reads themselves sit in libs/lambda (Powertools Parameters), apart
 * from the modules that name the variables.
 */
const ssmVariablesInCode = (): Map<string, string> => {
  const found = new Map<string, string>();
  const roots = ['services', 'libs'].flatMap((top) =>
    readdirSync(join(REPO_ROOT, top)).map((name) => join(REPO_ROOT, top, name, 'src')),
  );
  for (const file of roots.flatMap((root) =>
    statSync(root, { throwIfNoEntry: false }) ? sourceFiles(root) : [],
  )) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\b([A-Z][A-Z0-9_]*_PARAMETER)\b/g))
      found.set(match[1] ?? '', file.slice(REPO_ROOT.length + 1));
  }
  return found;
};

const templateVariables = (all: Templates): Set<string> => {
  const names = new Set<string>();
  for (const template of Object.values(all))
    for (const { path } of walk(template.Resources)) {
      const match = /\.Variables\.([A-Z0-9_]+)$/.exec(path);
      if (match?.[1]) names.add(match[1]);
    }
  return names;
};

const missingFromGuide = (guide: string, names: Iterable<string>): string[] =>
  [...names].filter((name) => !guide.includes(name));

test('the guide names every SSM parameter the templates give the functions or let them read', () => {
  const names = ssmNamesInTemplates(templates);
  expect([...names].sort()).toEqual([
    '/reelay/<stage>/replicate-api-token',
    '/reelay/<stage>/replicate-webhook-secret',
    '/reelay/<stage>/users/',
  ]);
  expect(missingFromGuide(GUIDE, names)).toEqual([]);
});

test('every SSM name variable the code reads is set by a template, so the guide check sees its name', () => {
  const variables = ssmVariablesInCode();
  expect(variables.size).toBeGreaterThan(0);
  const set = templateVariables(templates);
  expect([...variables.keys()].filter((variable) => !set.has(variable))).toEqual([]);
});

test('a new SSM name in a template, missing from the guide, is caught', () => {
  const broken = structuredClone(templates);
  const fn = broken.generator?.Resources.PlanLambdaFunction?.Properties as {
    Environment: { Variables: Record<string, unknown> };
  };
  fn.Environment.Variables.OPENAI_API_KEY_PARAMETER = `/reelay/${STAGE}/openai-api-key`;
  expect(missingFromGuide(GUIDE, ssmNamesInTemplates(broken))).toEqual(['/reelay/<stage>/openai-api-key']);
});

test('every resource name, stack and output the guide uses exists in the templates', () => {
  const text = asGuideText(JSON.stringify(templates));
  const named = new Set(
    [...GUIDE.matchAll(/\breelay-(?:<stage>|media|jobs|api|ledger|generator|composer)[a-z0-9<>-]*/g)]
      .map((match) => match[0].replace(/-+$/, '').replace(`-${STAGE}-`, '-<stage>-'))
      // Placeholders the guide explains in words (reelay-<stage>-<service>-<queue>-dlq).
      .filter((name) => !/<(service|queue|function)>/.test(name)),
  );
  const stacks = new Set(SERVICES.map((service) => `reelay-${service}-<stage>`));
  // The alarm topic exists only when an alarm e-mail is set (services/ledger/monitoring).
  const monitoring = readFileSync(
    join(REPO_ROOT, 'services', 'ledger', 'monitoring', 'monitoring.js'),
    'utf8',
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the JavaScript template literal in monitoring.js
  const conditional = monitoring.includes('TopicName: `reelay-${stage}-alarms`')
    ? ['reelay-<stage>-alarms']
    : [];
  const missing = [...named].filter(
    (name) => !stacks.has(name) && !conditional.includes(name) && !text.includes(name),
  );
  expect(missing).toEqual([]);
  const outputs = [...GUIDE.matchAll(/OutputKey==`(\w+)`|output `(\w+)`|\(`(\w+)`, `(\w+)`\)/g)].flatMap(
    (m) => m.slice(1).filter(Boolean),
  );
  const declared = new Set(Object.values(templates).flatMap((t) => Object.keys(t.Outputs ?? {})));
  expect(outputs.filter((output) => !declared.has(output))).toEqual([]);
});
