// What `hodei diagnose` and `hodei incident` read from a running control plane, over its HTTP API
// only (so they work against any replica, local or remote).
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { HodeiClient } from '../client/client.js';
import type { HodeiEvent } from '../observability/events/types.js';
import type { HealthCheckResult } from '../providers/provider.js';

/** The spec's event shape as /v1/events serves it. */
export type EventJson = HodeiEvent;

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
  const [health, slo, metricsText, ...eventLists] = await Promise.all([
    client.getJson<Snapshot['health']>('/v1/health'),
    client.getJson<SloJson>('/v1/slo').catch(() => null),
    client.raw('/metrics').then((r) => r.text),
    ...types.map((t) => client.getJson<{ events: EventJson[] }>(`/v1/events?type=${encodeURIComponent(t)}&since=${encodeURIComponent(since)}&limit=1000`)
      .then((r) => r.events)),
  ]);
  const events = eventLists.flat().sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return { at: new Date(), health, slo, events, metrics: parseMetrics(metricsText) };
}
