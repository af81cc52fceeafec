// Reading the generated dashboards the way Grafana would: every panel target, with template
// variables replaced by concrete values so Prometheus can parse and evaluate the query.
import { PATHS } from '../src/generate.js';
import { read } from './tools.js';

export interface Target { expr: string; refId: string; legendFormat?: string; datasource: { uid: string } }
export interface Panel {
  title: string; type: string; datasource: { uid: string }; targets?: Target[]; collapsed?: boolean; panels?: Panel[];
  gridPos: { x: number; y: number; w: number; h: number };
  options: { legend?: Record<string, unknown>; displayLabels?: string[] };
  fieldConfig?: { defaults: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] } } };
}
export interface Board { uid: string; refresh: string; panels: Panel[]; templating: { list: { name: string; type: string; query: unknown }[] } }

export const loadBoard = (which: 'overview' | 'slo'): Board => JSON.parse(read(PATHS[which])) as Board;

/** Row headers carry no query (and no panels while expanded: Grafana would strip them). */
export const everyTarget = (b: Board): [Panel, Target][] => b.panels.flatMap((p) => (p.targets ?? []).map((t): [Panel, Target] => [p, t]));

/** Grafana variables → values (regex matchers: `.*` is "All"). */
export function concrete(expr: string, vars: { namespace?: string; provider?: string; rateInterval?: string } = {}): string {
  return expr.replaceAll('$__rate_interval', vars.rateInterval ?? '1m')
    .replaceAll('$namespace', vars.namespace ?? '.*').replaceAll('$provider', vars.provider ?? '.*');
}
