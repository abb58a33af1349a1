/**
 * Marks a handler built by withPowertools, so a test can check that every function of every service
 * goes through the one builder (test/handlers). Kept on the function itself, by a global symbol, so it
 * survives whichever copy of this module a bundle loaded; in a module of its own so a Lambda sandbox
 * can check the brand without loading middy and Powertools.
 */
export const BUILT_BY_REELAY = Symbol.for('reelay.handler-builder');

/** Whether a module's export is a handler built by withPowertools (and so by every builder here). */
export function isBuiltByReelay(value: unknown): boolean {
  return typeof value === 'function' && (value as { [BUILT_BY_REELAY]?: unknown })[BUILT_BY_REELAY] === true;
}
