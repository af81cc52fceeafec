// Helpers for the worker-protocol security suite: a real control plane whose provider starts no
// agent but hands the one-time token to the test, so the test speaks the protocol itself (as an
// attacker would) over a real WebSocket, against the real gateway, job service and store.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll } from 'vitest';
import type { JobSpec } from '../../src/domain/job.js';
import type { HodeiEvent } from '../../src/observability/events/types.js';
import type {
  HealthCheckResult, ProviderEvents, ProviderWorker, ProvisionRequest, WorkerProvider,
} from '../../src/providers/provider.js';
import type { TestEngine } from '../support/store/fresh.js';
import { poll } from '../support/wait.js';
import { rawClient, register, type RawClient } from '../support/gateway/raw-client.js';
import { startTestServer, type TestServer } from '../e2e/harness.js';

/** A provider that runs nothing: each provision request (with its token) waits for the test. */
export class HandProvider implements WorkerProvider {
  readonly kind = 'hand';
  readonly id = 'hand';
  readonly events = new EventEmitter<ProviderEvents>();
  readonly requests: ProvisionRequest[] = [];
  private readonly gone = new Set<string>();

  async start(): Promise<void> {}
  async provision(req: ProvisionRequest): Promise<{ handle: string }> {
    this.requests.push(req);
    return { handle: `hand-${req.workerId}` };
  }
  async terminate(workerId: string): Promise<void> {
    if (this.gone.has(workerId) || !this.requests.some((r) => r.workerId === workerId)) return;
    this.gone.add(workerId);
    setImmediate(() => this.events.emit('worker.exited', { workerId, exitCode: 0, reason: null }));
  }
  async list(): Promise<ProviderWorker[]> {
    return this.requests.filter((r) => !this.gone.has(r.workerId))
      .map((r) => ({ workerId: r.workerId, handle: `hand-${r.workerId}`, phase: 'running' as const, jobId: r.jobId }));
  }
  async health(): Promise<HealthCheckResult> {
    return { status: 'Healthy', details: {}, checks: [], durationMs: 0, checkedAt: new Date().toISOString() };
  }
  async stop(): Promise<void> {}
}

export interface SecurityServer extends TestServer {
  provider: HandProvider;
  clients: RawClient[];
  connect(): Promise<RawClient>;
}

/**
 * A control plane on `engine` that declares no worker lost while a test holds it by hand. A worker
 * per job (ephemeral): the test registers as the worker provisioned for the job it submitted.
 */
export async function startSecurityServer(engine: TestEngine): Promise<SecurityServer> {
  const provider = new HandProvider();
  const s = await startTestServer({
    engine, provider, config: { heartbeatIntervalMs: 10_000, workerLostAfterMs: 120_000, reconcileIntervalMs: 500, maxWorkers: 200, workerMode: 'ephemeral' },
  });
  const clients: RawClient[] = [];
  const wsUrl = `${s.url.replace(/^http/, 'ws')}/v1/workers/connect`;
  return {
    ...s, provider, clients,
    async connect() {
      const c = await rawClient(wsUrl);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients.splice(0)) c.ws.terminate();
      await s.stop();
    },
  };
}

/** The one setup of the worker-protocol files: a server on `engine` for the describe block's tests. */
export function securityServerForTests(engine: TestEngine, use: (s: SecurityServer) => void): void {
  let s: SecurityServer | undefined;
  beforeAll(async () => {
    s = await startSecurityServer(engine);
    use(s);
  });
  afterAll(async () => {
    await s?.stop();
  });
}

/** A registered worker driven by the test, holding the job it was provisioned for. */
export interface HandWorker {
  client: RawClient;
  workerId: string;
  token: string;
  sessionToken: string;
  jobId: string;
  attempt: number;
}

/** Submits a job, takes its provisioning request and registers as its worker. */
export async function handWorker(s: SecurityServer, spec: Partial<JobSpec> = {}): Promise<HandWorker> {
  const job = await s.client.submit({ command: 'sleep', args: ['600'], ...spec });
  return workerForJob(s, job.id);
}

/** Registers as the worker provisioned for the newest attempt of this job. */
export async function workerForJob(s: SecurityServer, jobId: string, skip = 0): Promise<HandWorker> {
  const req = await poll(`a worker provisioned for ${jobId}`,
    () => s.provider.requests.filter((r) => r.jobId === jobId)[skip]);
  const client = await s.connect();
  client.send(register(req.token));
  const reg = await client.next('registered');
  const assign = await client.next('job.assign');
  return { client, workerId: reg.workerId, token: req.token, sessionToken: reg.sessionToken, jobId: assign.job.jobId, attempt: assign.job.attempt };
}

/** The value of hodei_worker_protocol_rejections_total{reason} as scraped from /metrics (NaN: absent). */
export async function rejections(s: TestServer, reason: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.token}` } })).text();
  const m = new RegExp(`^hodei_worker_protocol_rejections_total\\{reason="${reason}"\\} (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]);
}

/** Recorded worker.rejected events, newest first, read over the API. */
export async function rejectedEvents(s: TestServer): Promise<HodeiEvent[]> {
  const res = await fetch(`${s.url}/v1/events?type=worker.rejected&limit=1000`, { headers: { authorization: `Bearer ${s.token}` } });
  return ((await res.json()) as { events: HodeiEvent[] }).events;
}

/** Polls until a worker.rejected event with this reason (and worker, when given) is recorded. */
export function rejectedEvent(s: TestServer, reason: string, workerId?: string): Promise<HodeiEvent> {
  return poll(`a worker.rejected event (${reason})`, async () => (await rejectedEvents(s))
    .find((e) => e.details.reason === reason && (workerId === undefined || e.worker_id === workerId)));
}

export const resume = (w: Pick<HandWorker, 'workerId' | 'sessionToken'>, job: { jobId: string; attempt: number } | null): object =>
  ({ type: 'resume', protocolVersion: 1, workerId: w.workerId, sessionToken: w.sessionToken, job });
