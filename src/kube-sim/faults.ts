// Fault injection: per verb/resource/namespace rules adding errors (500, 503, 429 + Retry-After),
// latency, forced 410 Gone and watch cuts; plus a whole-server outage (refuse connections or hang).
// Rate-based rules draw from a seeded RNG and `everyNth` is exact, so tests can predict counts.
//
// YAML (`--faults file.yaml`, or PUT /__sim/faults with the same shape as JSON):
//   seed: 42
//   rules:
//     - { verbs: [create], resources: [pods], error: { code: 503 }, everyNth: 20 }   # exactly 5 %
//     - { resources: [pods], verbs: [list], latencyMs: 200 }
//     - { verbs: [watch], resources: [pods], watchCutAfterEvents: 100 }
//     - { verbs: [watch, list], resources: [pods], gone: true, count: 1 }
//   outage: { mode: refuse, durationMs: 2000 }
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { errors, StatusError } from './store/index.js';

export interface FaultRule {
  id?: string;
  /** Verbs the rule applies to (get, list, watch, create, update, patch, delete, deletecollection); default all. */
  verbs?: string[];
  /** 'pods' matches pods and its subresources; 'pods/log' only the subresource. Default all. */
  resources?: string[];
  namespaces?: string[];
  /** Answer with this error instead of serving the request. */
  error?: { code: number; retryAfterSeconds?: number; message?: string };
  /** Probability (0..1) that a matching request is hit; with neither rate nor everyNth, every one. */
  rate?: number;
  /** Hit exactly every Nth matching request (N, 2N, ...). */
  everyNth?: number;
  /** Delay before serving (or failing) the request. */
  latencyMs?: number;
  /** list/watch: answer 410 Gone (Expired). */
  gone?: boolean;
  /** watch: end the stream after this many events / seconds. */
  watchCutAfterEvents?: number;
  watchCutAfterSeconds?: number;
  /** Stop applying after this many hits. */
  count?: number;
}

export interface Outage {
  /** refuse: stop listening (ECONNREFUSED) and drop connections; hang: accept but never answer. */
  mode: 'refuse' | 'hang';
  /** End the outage automatically after this long. */
  durationMs?: number;
}

export interface FaultConfig {
  seed?: number;
  rules: FaultRule[];
  outage?: Outage | null;
}

export interface FaultDecision {
  latencyMs: number;
  error?: StatusError;
  watchCut?: { events?: number; seconds?: number };
  /** Labels of every fault applied, for the statistics ("503", "latency", "gone", "watch-cut"). */
  applied: string[];
}

export interface RequestInfo {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

/** Small fast seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadFaults(source: FaultRule[] | string | undefined): FaultConfig {
  if (source === undefined) return { rules: [] };
  if (typeof source !== 'string') return { rules: source };
  const parsed = parse(readFileSync(source, 'utf8')) as Partial<FaultConfig> | FaultRule[] | null;
  if (Array.isArray(parsed)) return { rules: parsed };
  return { rules: parsed?.rules ?? [], ...(parsed?.seed !== undefined ? { seed: parsed.seed } : {}), ...(parsed?.outage ? { outage: parsed.outage } : {}) };
}

function statusFor(code: number, retryAfter: number | undefined, message: string | undefined): StatusError {
  let e: StatusError;
  if (code === 429) return errors.tooManyRequests(retryAfter ?? 1, message);
  if (code === 503) e = errors.unavailable(message);
  else if (code === 500) e = errors.internal(message ?? 'injected fault');
  else if (code === 410) e = errors.gone(message ?? 'too old resource version');
  else e = new StatusError(code, code >= 500 ? 'InternalError' : 'BadRequest', message ?? `injected fault ${code}`);
  // Retry-After (header and details) on any code when the rule asks for it, e.g. 503 + Retry-After.
  if (retryAfter !== undefined) e.status.details = { ...e.status.details, retryAfterSeconds: retryAfter };
  return e;
}

interface RuleState { rule: FaultRule; matched: number; hits: number }

export class Faults {
  private states: RuleState[] = [];
  private rng: () => number = seededRandom(1);
  private seed = 1;
  outage: Outage | null = null;
  /** Called when the outage changes (the server starts/stops listening). */
  onOutage: (o: Outage | null) => void = () => {};
  private outageTimer: NodeJS.Timeout | undefined;

  constructor(config: FaultConfig = { rules: [] }, seed?: number) {
    this.set(config, seed);
  }

  set(config: FaultConfig, seed?: number): void {
    this.seed = config.seed ?? seed ?? this.seed;
    this.rng = seededRandom(this.seed);
    this.states = config.rules.map((rule) => ({ rule, matched: 0, hits: 0 }));
    this.setOutage(config.outage ?? null);
  }

  get config(): FaultConfig & { hits: { id: string | undefined; matched: number; hits: number }[] } {
    return {
      seed: this.seed, rules: this.states.map((s) => s.rule), outage: this.outage,
      hits: this.states.map((s) => ({ id: s.rule.id, matched: s.matched, hits: s.hits })),
    };
  }

  clear(): void {
    this.set({ rules: [] });
  }

  setOutage(o: Outage | null): void {
    if (this.outageTimer) { clearTimeout(this.outageTimer); this.outageTimer = undefined; }
    this.outage = o;
    this.onOutage(o);
    if (o?.durationMs) {
      this.outageTimer = setTimeout(() => this.setOutage(null), o.durationMs);
      this.outageTimer.unref();
    }
  }

  private matches(r: FaultRule, req: RequestInfo): boolean {
    if (r.verbs && !r.verbs.includes('*') && !r.verbs.includes(req.verb)) return false;
    if (r.namespaces && !r.namespaces.includes('*') && !r.namespaces.includes(req.namespace ?? '')) return false;
    if (r.resources && !r.resources.includes('*')) {
      const full = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
      if (!r.resources.includes(full) && !r.resources.includes(req.resource)) return false;
    }
    return true;
  }

  decide(req: RequestInfo): FaultDecision {
    const d: FaultDecision = { latencyMs: 0, applied: [] };
    for (const s of this.states) {
      const r = s.rule;
      if (r.count !== undefined && s.hits >= r.count) continue;
      if (!this.matches(r, req)) continue;
      s.matched++;
      const hit = r.everyNth ? s.matched % r.everyNth === 0 : r.rate !== undefined ? this.rng() < r.rate : true;
      if (!hit) continue;
      let used = false;
      if (r.latencyMs) { d.latencyMs += r.latencyMs; d.applied.push('latency'); used = true; }
      if (r.gone && (req.verb === 'list' || req.verb === 'watch') && !d.error) {
        d.error = errors.gone(req.verb === 'watch' ? 'too old resource version: 1 (2)' : 'The resourceVersion for the provided list is too old.');
        d.applied.push('gone'); used = true;
      }
      if (r.error && !d.error) {
        d.error = statusFor(r.error.code, r.error.retryAfterSeconds, r.error.message);
        d.applied.push(String(r.error.code)); used = true;
      }
      if (req.verb === 'watch' && (r.watchCutAfterEvents !== undefined || r.watchCutAfterSeconds !== undefined)) {
        d.watchCut = {
          ...(r.watchCutAfterEvents !== undefined ? { events: r.watchCutAfterEvents } : {}),
          ...(r.watchCutAfterSeconds !== undefined ? { seconds: r.watchCutAfterSeconds } : {}),
        };
        d.applied.push('watch-cut'); used = true;
      }
      if (used) s.hits++;
    }
    return d;
  }

  close(): void {
    if (this.outageTimer) clearTimeout(this.outageTimer);
  }
}
