// Worker lifecycle events for providers that do not record their own (the local provider): a
// transparent Proxy around the provider records worker.created / worker.failed around provision(),
// worker.deleted / worker.failed from the provider's events, and resource.allocated / released.
// The Kubernetes provider is not wrapped: it emits typed events at the true moments (pod Running
// etc.) and kubernetes/provider-observer.ts records them.
import type { ProvisionRequest, WorkerProvider } from '../../providers/provider.js';
import { cpuMillis, memoryBytes } from '../../util/quantity.js';
import type { EventSource } from './types.js';

interface Live { jobId: string | null; cpu: number; memory: number; gpus: number; terminateAt?: number }

export function instrumentProvider(provider: WorkerProvider, events: EventSource, now: () => number = () => performance.now()): WorkerProvider {
  const live = new Map<string, Live>();
  const base = { provider: provider.kind };
  const released = (workerId: string): Live | undefined => {
    const w = live.get(workerId);
    live.delete(workerId);
    if (w && (w.cpu || w.memory || w.gpus)) {
      events.record('resource.released', { ...base, workerId, jobId: w.jobId, details: { cpu_millicores: w.cpu, memory_bytes: w.memory, gpus: w.gpus } });
    }
    return w;
  };

  provider.events.on('worker.exited', (ev) => {
    const w = released(ev.workerId);
    events.record('worker.deleted', {
      ...base, workerId: ev.workerId, jobId: w?.jobId ?? null,
      durationMs: w?.terminateAt !== undefined ? now() - w.terminateAt : null,
      details: { reason: ev.reason ?? 'Exited', exit_code: ev.exitCode },
    });
  });
  provider.events.on('worker.failed', (ev) => {
    const w = released(ev.workerId);
    events.record('worker.failed', { ...base, workerId: ev.workerId, jobId: w?.jobId ?? null, details: { reason: ev.reason, message: ev.message } });
  });

  const provision = async (req: ProvisionRequest): Promise<{ handle: string }> => {
    const started = now();
    const secrets = [req.token];
    try {
      const r = await provider.provision(req);
      const w: Live = { jobId: req.jobId, cpu: cpuMillis(req.resources.cpu), memory: memoryBytes(req.resources.memory), gpus: req.resources.gpu ?? 0 };
      live.set(req.workerId, w);
      events.record('worker.created', {
        ...base, workerId: req.workerId, jobId: req.jobId, durationMs: now() - started, secrets,
        details: {
          handle: r.handle, ...(req.image ? { image: req.image } : {}),
          ...(req.resources.cpu ? { cpu_request: req.resources.cpu } : {}),
          ...(req.resources.memory ? { memory_request: req.resources.memory } : {}),
          ...(req.resources.gpu ? { gpu_request: req.resources.gpu } : {}),
        },
      });
      if (w.cpu || w.memory || w.gpus) {
        events.record('resource.allocated', { ...base, workerId: req.workerId, jobId: req.jobId, secrets, details: { cpu_millicores: w.cpu, memory_bytes: w.memory, gpus: w.gpus } });
      }
      return r;
    } catch (err) {
      events.record('worker.failed', {
        ...base, workerId: req.workerId, jobId: req.jobId, durationMs: now() - started, secrets,
        details: { reason: 'ProvisioningFailed', message: (err as Error).message },
      });
      throw err;
    }
  };
  const terminate = async (workerId: string, opts?: { graceMs?: number }): Promise<void> => {
    const w = live.get(workerId);
    if (w && w.terminateAt === undefined) w.terminateAt = now();
    return provider.terminate(workerId, opts);
  };

  // A Proxy, not a copy: every other member (and the provider's identity for `instanceof`) stays.
  return new Proxy(provider, {
    get(target, prop, receiver) {
      if (prop === 'provision') return provision;
      if (prop === 'terminate') return terminate;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
