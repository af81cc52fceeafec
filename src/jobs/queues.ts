// Queues as users see them: settings (concurrency, pause, quota) with live counts. A queue
// exists as soon as a job names it; settings are optional (no row = no limits, not paused).
import type { JobState } from '../domain/job.js';
import type { Logger } from '../observability/logger.js';
import type { QueueQuota, QueueRecord, QueueSettings, QueueStats, Store } from '../store/store.js';
import type { JobBus } from './events.js';

export interface QueueView extends QueueSettings {
  name: string;
  /** false: no settings stored (the defaults apply). */
  configured: boolean;
  pausedAt: string | null;
  /** Unfinished jobs of the queue by state. */
  jobs: Record<'scheduled' | 'blocked' | 'queued' | 'provisioning' | 'assigned' | 'running', number>;
  /** Seconds the longest-waiting due queued job has waited; 0 when none waits. */
  oldestQueuedSeconds: number;
  lastStartedAt: string | null;
}

export type QueuePatch = Partial<Omit<QueueSettings, 'quota'>> & { quota?: QueueQuota };

const UNFINISHED = ['scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running'] as const satisfies readonly JobState[];
const DEFAULTS: QueueSettings = { concurrency: null, paused: false, quota: {} };

export class QueueService {
  constructor(
    private readonly store: Store,
    private readonly bus: JobBus,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<QueueView[]> {
    const now = this.now();
    const [records, stats] = await Promise.all([this.store.listQueues(), this.store.queueStats(now)]);
    const names = [...new Set([...records.map((r) => r.name), ...stats.map((s) => s.queue)])].sort();
    return names.map((n) => view(n, records.find((r) => r.name === n) ?? null, stats.find((s) => s.queue === n), now));
  }

  /** Every queue's stored settings and its job counts at `at`, as stored (the queue gauges read them per scrape). */
  async snapshot(at: Date): Promise<{ stats: QueueStats[]; queues: QueueRecord[] }> {
    const [stats, queues] = await Promise.all([this.store.queueStats(at), this.store.listQueues()]);
    return { stats, queues };
  }

  async get(name: string): Promise<QueueView> {
    const now = this.now();
    const [record, [stats]] = await Promise.all([this.store.getQueue(name), this.store.queueStats(now, name)]);
    return view(name, record, stats, now);
  }

  /** Replaces the settings (fields left out take their defaults). */
  async put(name: string, settings: Partial<QueueSettings>): Promise<QueueView> {
    const full = { ...DEFAULTS, ...settings };
    const { wasPaused } = await this.store.putQueue(name, full, this.now());
    const v = await this.get(name);
    if (full.paused && !wasPaused) {
      this.log.info({ queue: name, queued: v.jobs.queued }, 'queue paused');
      this.bus.emit('queue.paused', { queue: name, queued: v.jobs.queued });
    } else if (!full.paused && wasPaused) {
      this.log.info({ queue: name }, 'queue resumed');
    }
    this.bus.emit('queue.changed', name);
    return v;
  }

  /** Changes only the given fields. */
  async patch(name: string, p: QueuePatch): Promise<QueueView> {
    const current = (await this.store.getQueue(name)) ?? DEFAULTS;
    return this.put(name, {
      concurrency: p.concurrency !== undefined ? p.concurrency : current.concurrency,
      paused: p.paused ?? current.paused,
      quota: p.quota ?? current.quota,
    });
  }
}

function view(name: string, r: QueueRecord | null, s: QueueStats | undefined, now: Date): QueueView {
  const counts = Object.fromEntries(UNFINISHED.map((st) => [st, s?.counts[st] ?? 0])) as QueueView['jobs'];
  const oldest = s?.oldestDueAt ? Math.max(0, (now.getTime() - Date.parse(s.oldestDueAt)) / 1000) : 0;
  return {
    name, configured: r !== null,
    concurrency: r?.concurrency ?? null, paused: r?.paused ?? false, quota: r?.quota ?? {}, pausedAt: r?.pausedAt ?? null,
    jobs: counts, oldestQueuedSeconds: Math.round(oldest * 1000) / 1000, lastStartedAt: s?.lastStartedAt ?? null,
  };
}
