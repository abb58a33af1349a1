import { referencedIds } from './intrinsics';
import type { CloudFormationResource } from './template';

/** Resources in an order where every reference is deployed before the resource that uses it. */
export function deploymentOrder(resources: Record<string, CloudFormationResource>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id) === 'done' || !resources[id]) return;
    if (state.get(id) === 'visiting') return; // cycles only go through cloud-only resources (roles)
    state.set(id, 'visiting');
    const r = resources[id];
    const deps = referencedIds(r.Properties ?? {});
    for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
    for (const d of deps) visit(d);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id);
  return order;
}
