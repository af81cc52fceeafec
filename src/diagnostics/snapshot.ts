// What `hodei diagnose` and `hodei incident` read from a running control plane, over its HTTP API
// only (so they work against any replica, local or remote).
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { HodeiClient } from '../client/client.js';
import type { HealthCheckResult } from '../providers/provider.js';

export interface EventJson {
  timestamp: string;
  event_type: string;
  provider: string;
  worker_id: string | null;
  namespace: string | null;
  duration_ms: number | null;
  success: boolean;
  details: Record<string, unknown>;
}

export interface SloStatusJson {
  slo: string;
  target: number;
  current: number;
  compliant: boolean;
  burnRate: number;
  errorBudgetRemaining: number;
}

export interface SloJson {
  windowSeconds: number;
  compliant: boolean;
  violations: Array<{ slo: string; message: string }>;
  slos: SloStatusJson[];
}

/** label set (sorted key=value) → value, per metric name. */
export type MetricValues = Map<string, Array<{ labels: Record<string, string>; value: number }>>;

export interface Snapshot {
  at: Date;
  health: { liveness: HealthCheckResult; readiness: HealthCheckResult; startup: HealthCheckResult };
  slo: SloJson | null;
  events: EventJson[];
  metrics: MetricValues;
}

export function parseMetrics(text: string): MetricValues {
  const out: MetricValues = new Map();
  for (const family of parsePrometheusTextFormat(text)) {
    const samples = family.metrics.flatMap((m) => {
      if (m.value !== undefined) return [{ labels: m.labels ?? {}, value: Number(m.value) }];
      if (m.count !== undefined) return [{ labels: m.labels ?? {}, value: Number(m.count) }];
      return [];
    });
    out.set(family.name, samples);
  }
  return out;
}

/** Sum of a metric's samples whose labels include `match`. */
export function sum(metrics: MetricValues, name: string, match: Record<string, string> = {}): number {
  return (metrics.get(name) ?? [])
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);
}

/** Reads everything in parallel. Events: up to 1000 per type since `since`. */
export async function takeSnapshot(client: HodeiClient, since: string, types: readonly string[]): Promise<Snapshot> {
  const json = async <T>(path: string): Promise<T> => {
    const r = await client.raw(path);
    if (r.status >= 400) throw new Error(`GET ${path} answered ${r.status}: ${r.text.slice(0, 200)}`);
    return JSON.parse(r.text) as T;
  };
  const [health, slo, metricsText, ...eventLists] = await Promise.all([
    json<Snapshot['health']>('/v1/health'),
    json<SloJson>('/v1/slo').catch(() => null),
    client.raw('/metrics').then((r) => r.text),
    ...types.map((t) => json<{ events: EventJson[] }>(`/v1/events?type=${encodeURIComponent(t)}&since=${encodeURIComponent(since)}&limit=1000`)
      .then((r) => r.events)),
  ]);
  const events = eventLists.flat().sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return { at: new Date(), health, slo, events, metrics: parseMetrics(metricsText) };
}
