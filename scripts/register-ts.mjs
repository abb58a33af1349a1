/**
 * What every TypeScript entry point of the project runs with (`node --import ./scripts/register-ts.mjs`):
 * tsx, to load TypeScript, and a resolve hook for the ESM-only packages the handlers use.
 *
 * @middy/core and @middy/util export only an `import` condition. The Lambda bundles (esbuild) and
 * jest (moduleNameMapper) resolve them; Node's require() from tsx-compiled CommonJS does not, so
 * for those two packages alone the resolution adds the `import` condition (Node 22 then loads the
 * ES module through require). Hand-written: tsx has no option for it. Every other package keeps
 * Node's own resolution.
 */
import { registerHooks } from 'node:module';
import 'tsx';

const ESM_ONLY = /^@middy\/(core|util)(\/|$)/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!ESM_ONLY.test(specifier)) return nextResolve(specifier, context);
    return nextResolve(specifier, { ...context, conditions: [...(context.conditions ?? []), 'import'] });
  },
});
