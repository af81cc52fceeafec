// The workers service: every change to a worker's record the scheduler and the reconciler cause
// (a worker provisioned for a job, its handle, its end) goes through here, beside the job service;
// the worker protocol's own changes go through worker-sessions.ts. Each state change is the
// store's guarded compare-and-set, so a late or duplicated report changes nothing.
import { LIVE_WORKER_STATES, type Worker, type WorkerState } from '../domain/worker.js';
import type { NewWorker, WorkerStore } from '../store/store.js';

export class WorkerService {
  constructor(
    private readonly store: Pick<WorkerStore, 'insertWorker' | 'getWorker' | 'listWorkers' | 'transitionWorker' | 'updateWorker'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(id: string): Promise<Worker | null> {
    return this.store.getWorker(id);
  }

  /** Workers in `states` (every state when omitted), of one provider when given. */
  list(q: { states?: readonly WorkerState[]; providerId?: string } = {}): Promise<Worker[]> {
    return this.store.listWorkers(q);
  }

  /** Workers that may still run or take a job (provisioning, ready, busy, draining). */
  live(providerId?: string): Promise<Worker[]> {
    return this.store.listWorkers({ states: LIVE_WORKER_STATES, ...(providerId === undefined ? {} : { providerId }) });
  }

  /** Records a worker about to be provisioned (state provisioning; its one-time token's hash). */
  async provisioning(w: Omit<NewWorker, 'createdAt'>): Promise<Worker> {
    return this.store.insertWorker({ ...w, createdAt: this.now() });
  }

  /** The provider accepted the worker: its pid or pod, for operators (never a metric label). */
  async provisioned(id: string, handle: string): Promise<void> {
    await this.store.updateWorker(id, { handle });
  }

  /**
   * Moves a worker from one of `from` to `to` (with the reason for a failure); null when it was in
   * none of them (another path changed it first).
   */
  transition(id: string, from: readonly WorkerState[], to: WorkerState, reason?: string): Promise<Worker | null> {
    return this.store.transitionWorker(id, from, to, reason === undefined ? {} : { reason }, this.now());
  }
}
