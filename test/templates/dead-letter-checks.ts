/**
 * Invariant 2 on the templates: every DLQ of every service is drained by that service's
 * `deadLetters` function, which knows the stage and the redrive target of each one.
 */

import { isRecord, referencedLogicalId } from './intrinsics';
import { deadLetterQueueIds, type Templates } from './template-checks';

export const DEAD_LETTERS_FUNCTION_ID = 'DeadLettersLambdaFunction';

const deadLetterRoutes = (environment: unknown): Record<string, unknown> | undefined => {
  const variables = isRecord(environment) && isRecord(environment.Variables) ? environment.Variables : {};
  const json = variables.DEAD_LETTER_QUEUES;
  if (typeof json !== 'string') return undefined;
  const parsed: unknown = JSON.parse(json);
  return isRecord(parsed) ? parsed : undefined;
};

export const checkDeadLettersDrained = (templates: Templates): string[] =>
  Object.entries(templates).flatMap(([service, template]) => {
    const dlqs = [...deadLetterQueueIds(template)];
    if (dlqs.length === 0) return [];
    const fn = template.Resources[DEAD_LETTERS_FUNCTION_ID];
    if (fn?.Type !== 'AWS::Lambda::Function')
      return [`${service}: has ${dlqs.length} DLQ(s) but no deadLetters function`];
    const routes = deadLetterRoutes(fn.Properties?.Environment) ?? {};
    const drained = new Set(
      Object.values(template.Resources)
        .filter(
          (r) =>
            r.Type === 'AWS::Lambda::EventSourceMapping' &&
            referencedLogicalId(r.Properties?.FunctionName) === DEAD_LETTERS_FUNCTION_ID,
        )
        .map((r) => referencedLogicalId(r.Properties?.EventSourceArn)),
    );
    return dlqs.flatMap((id) => {
      const violations: string[] = [];
      if (!drained.has(id)) violations.push(`${service}: DLQ ${id} is not drained by deadLetters`);
      const name = template.Resources[id]?.Properties?.QueueName;
      if (typeof name !== 'string' || !(name in routes))
        violations.push(`${service}: DLQ ${id} has no stage in deadLetters' DEAD_LETTER_QUEUES`);
      return violations;
    });
  });
