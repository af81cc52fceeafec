// Extension points of the simulator: controllers plug into a SimContext; the kubelet registers
// the source of pod logs.
import type { Readable } from 'node:stream';
import type { Clock, ObjectStore, StoreOptions } from './store/index.js';
import type { FaultRule } from './faults.js';
import type { RbacPolicy } from './rbac.js';
import type { SimControllerOptions } from './controllers/options.js';

export interface SimLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What a controller gets when started. */
export interface SimContext {
  store: ObjectStore;
  clock: Clock;
  logger: SimLogger;
  options: KubeSimOptions;
  podLogs: PodLogRegistry;
  /** Base URL of the API server (for controllers that want to act as real clients). */
  url: string;
}

/**
 * A control loop running inside the simulator (scheduler, kubelet, Deployment controller...).
 * start() is awaited before startKubeSim resolves; stop() is awaited (reverse order) by stop().
 */
export interface SimController {
  readonly name: string;
  start(ctx: SimContext): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string | undefined;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

/**
 * Returns the log text of a container: a string (whole log), or a stream / async iterable
 * (consumed until it ends; with follow=true it should stay open while the container runs).
 * undefined = "no log for this pod" (the next registered source is asked).
 */
export type PodLogSource = (req: PodLogRequest) => string | Readable | AsyncIterable<string | Buffer> | undefined;

export class PodLogRegistry {
  private readonly sources: PodLogSource[] = [];
  /** Register a log source; returns an unregister function. Latest registration is asked first. */
  register(source: PodLogSource): () => void {
    this.sources.unshift(source);
    return () => { const i = this.sources.indexOf(source); if (i >= 0) this.sources.splice(i, 1); };
  }
  open(req: PodLogRequest): ReturnType<PodLogSource> {
    for (const s of this.sources) {
      const out = s(req);
      if (out !== undefined) return out;
    }
    return undefined;
  }
}

/** Options of the API server, plus those of the built-in controllers (SimControllerOptions). */
export interface KubeSimOptions extends SimControllerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  /**
   * Serve HTTPS with a generated self-signed certificate (the kubeconfig carries it as CA).
   * Default true. kubectl never sends a bearer token over plain http, so `tls: false` is for
   * client-node only (whose TLS+token path builds a connection per request: faster without TLS).
   */
  tls?: boolean;
  /** Admin bearer token (all permissions, admin endpoints). Default: random. */
  token?: string;
  /** RBAC policy, or a path to a YAML file with one. Default: only the admin token, allowed everything. */
  rbac?: RbacPolicy | string;
  /** Fault rules, or a path to a YAML file `{ seed?, rules: [...] }`. */
  faults?: FaultRule[] | string;
  /** Seed of the fault RNG (rate-based rules), for reproducible runs. */
  faultSeed?: number;
  /** Where to write the kubeconfig. Default: a file in a fresh temp dir. */
  kubeconfigPath?: string;
  /** Namespaces created at start. Default: default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  store?: StoreOptions;
  /** Interval of BOOKMARK events on watches that asked for them. Default 5,000 ms. */
  bookmarkIntervalMs?: number;
  /** Controllers to run, started in order after the API server listens. Default: the built-in ones; `() => []` for a bare API server. */
  controllers?: (ctx: SimContext) => SimController[];
  logger?: SimLogger;
  clock?: Clock;
}
