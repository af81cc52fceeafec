// Test helpers of the network-policy and pool tests: the sim's admin endpoints over HTTP(S) (as a
// prometheus-adapter or a CNI would report to it), and observability sinks that capture what the
// built-in extensions record.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Registry } from 'prom-client';
import type { KubeSim } from '../../../src/kube-sim/index.js';
import type { EventSource, EventType, HodeiEvent, RecordOptions } from '../../../src/observability/events/types.js';
import { KubernetesProviderMetrics } from '../../../src/observability/kubernetes/metrics.js';
import { observeExtras } from '../../../src/observability/kubernetes/extras-observer.js';
import type { BuiltinExtensions } from '../../../src/providers/kubernetes/builtin-extensions.js';

export function simAdmin(sim: KubeSim, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const url = new URL(path, sim.url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method, headers: { authorization: `Bearer ${sim.token}`, ...(data ? { 'content-type': 'application/json' } : {}) },
      ...(sim.caPem ? { ca: sim.caPem } : {}),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) as unknown : undefined }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

export interface Captured {
  metrics: KubernetesProviderMetrics;
  registry: Registry;
  events: Array<{ type: EventType; opts: RecordOptions<EventType> }>;
  /** Current value of a counter/histogram-count series with these labels (0 when absent). */
  value(name: string, labels: Record<string, string>, series?: string): Promise<number>;
  off(): void;
}

export function captureExtras(extras: BuiltinExtensions): Captured {
  const registry = new Registry();
  const metrics = new KubernetesProviderMetrics({ registry });
  const events: Captured['events'] = [];
  const source: EventSource = {
    record<T extends EventType>(type: T, opts: RecordOptions<T> = {}): HodeiEvent {
      events.push({ type, opts: opts as RecordOptions<EventType> });
      return { timestamp: new Date().toISOString(), event_type: type, provider: 'kubernetes', worker_id: opts.workerId ?? null,
        namespace: opts.namespace ?? null, duration_ms: opts.durationMs ?? null, success: opts.success ?? true, details: { ...(opts.details ?? {}) } };
    },
  };
  const off = observeExtras(extras, { metrics, events: source });
  return {
    metrics, registry, events, off,
    async value(name, labels, series) {
      const m = registry.getSingleMetric(name);
      if (!m) return 0;
      const { values } = await m.get();
      const hit = values.find((v) => (series === undefined || (v as { metricName?: string }).metricName === series)
        && Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x));
      return hit?.value ?? 0;
    },
  };
}
