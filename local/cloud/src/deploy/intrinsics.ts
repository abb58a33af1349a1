/**
 * Resolves CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::ImportValue,
 * Fn::Select, Fn::Split) against the values of resources already deployed locally.
 * Hand-written: no maintained library evaluates templates outside CloudFormation.
 */
export class UnresolvableReferenceError extends Error {}

export interface ResolveContext {
  pseudo: Record<string, string>;
  parameters: Record<string, unknown>;
  /** Ref value of a deployed resource. */
  ref(logicalId: string): string | undefined;
  /** Fn::GetAtt value of a deployed resource. */
  getAtt(logicalId: string, attribute: string): string | undefined;
  importValue(name: string): string | undefined;
}

export function resolve(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx)).filter((v) => v !== NO_VALUE);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    switch (key) {
      case 'Ref':
        return resolveRef(String(arg), ctx);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.+)/);
        const v = ctx.getAtt(String(id), String(attr));
        if (v === undefined) throw new UnresolvableReferenceError(`Fn::GetAtt ${id}.${attr}`);
        return v;
      }
      case 'Fn::Sub':
        return substitute(arg, ctx);
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolve(parts, ctx) as unknown[]).map(String).join(sep);
      }
      case 'Fn::ImportValue': {
        const name = String(resolve(arg, ctx));
        const v = ctx.importValue(name);
        if (v === undefined) throw new UnresolvableReferenceError(`Fn::ImportValue ${name}`);
        return v;
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolve(list, ctx) as unknown[])[Number(resolve(index, ctx))];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(resolve(source, ctx)).split(sep);
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const r = resolve(v, ctx);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

const NO_VALUE = Symbol('AWS::NoValue');

function resolveRef(name: string, ctx: ResolveContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in ctx.pseudo) return ctx.pseudo[name];
  if (name in ctx.parameters) return ctx.parameters[name];
  const v = ctx.ref(name);
  if (v === undefined) throw new UnresolvableReferenceError(`Ref ${name}`);
  return v;
}

function substitute(arg: unknown, ctx: ResolveContext): string {
  const [template, vars] = Array.isArray(arg)
    ? (arg as [string, Record<string, unknown>])
    : [String(arg), {}];
  const resolvedVars = resolve(vars ?? {}, ctx) as Record<string, unknown>;
  return template
    .replace(/\$\{([^}!][^}]*)\}/g, (_, expr: string) => {
      if (expr in resolvedVars) return String(resolvedVars[expr]);
      if (expr.includes('.') && !expr.startsWith('AWS::')) {
        const [id, attr] = expr.split(/\.(.+)/) as [string, string];
        const v = ctx.getAtt(id, attr);
        if (v === undefined) throw new UnresolvableReferenceError(`Fn::Sub \${${expr}}`);
        return v;
      }
      return String(resolveRef(expr, ctx));
    })
    .replace(/\$\{!/g, '${');
}

/** Logical ids a value refers to (for ordering resources). */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt')
        into.add(Array.isArray(v) ? String(v[0]) : (String(v).split('.')[0] ?? ''));
      else if (k === 'Fn::Sub') {
        const template = Array.isArray(v) ? String(v[0]) : String(v);
        for (const m of template.matchAll(/\$\{([^}!][^}]*)\}/g)) into.add((m[1] ?? '').split('.')[0] ?? '');
        if (Array.isArray(v)) referencedIds(v[1], into);
      } else referencedIds(v, into);
    }
  }
  return into;
}
