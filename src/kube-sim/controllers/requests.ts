// What a pod asks of a node: the sum of its containers' requests, or the largest init container's
// if that is more (init containers run one at a time). A resource with a limit and no request
// requests its limit, as the API server's defaulting does.
import { isQuantity, toMilli } from '../quantity.js';
import type { Container, PodSpec } from './pod-types.js';

export type Amounts = Map<string, number>; // resource → milli-units

function containerRequests(c: Container): Amounts {
  const m: Amounts = new Map();
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  for (const k of new Set([...Object.keys(req), ...Object.keys(lim)])) {
    const v = req[k] ?? lim[k];
    if (v !== undefined && isQuantity(v)) m.set(k, toMilli(v));
  }
  return m;
}

export function podRequests(spec: PodSpec): Amounts {
  const total: Amounts = new Map();
  for (const c of spec.containers) for (const [k, v] of containerRequests(c)) total.set(k, (total.get(k) ?? 0) + v);
  for (const c of spec.initContainers ?? []) for (const [k, v] of containerRequests(c)) total.set(k, Math.max(total.get(k) ?? 0, v));
  return total;
}

export function addAmounts(into: Amounts, a: Amounts, sign: 1 | -1): void {
  for (const [k, v] of a) into.set(k, (into.get(k) ?? 0) + sign * v);
}
