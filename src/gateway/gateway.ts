// The control-plane end of the worker protocol: accepts WebSocket upgrades, keeps one session per
// connected worker, and exposes the operations the control plane starts (cancel, offer, shutdown).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { GatewayBackend } from './backend.js';
import { CLOSE, MAX_MESSAGE_BYTES, WORKER_CONNECT_PATH } from './protocol.js';
import type { WorkerRejection } from './rejections.js';
import { WorkerSession, type SessionContext } from './session.js';
import { WorkerMemory } from './worker-memory.js';

export interface GatewayOptions {
  backend: GatewayBackend;
  logger?: Logger;
  /** How often agents send heartbeats; a worker silent for 3 intervals is disconnected. @defaultValue 10000 */
  heartbeatIntervalMs?: number;
  /** A connection must register or resume within this time. @defaultValue 5000 */
  registerTimeoutMs?: number;
  /** Largest accepted message. @defaultValue 1 MiB */
  maxPayloadBytes?: number;
  /**
   * Told of every refused worker message or frame (the control plane records a worker.rejected
   * event and counts hodei_worker_protocol_rejections_total). Carries no message content.
   */
  onRejected?: (r: WorkerRejection) => void;
}

export interface Gateway {
  /** Completes a WebSocket upgrade for a worker connection (call from the server's 'upgrade' event). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Listens for upgrades on `path` of this server; other paths are left to other listeners (or refused if none). */
  attach(server: Server, path?: string): void;
  /** Sends job.cancel to the worker; true when it was written to an open connection. */
  cancelJob(workerId: string, jobId: string, reason?: string): boolean;
  /** Asks the backend for the next job of an idle (pooled) worker and sends it; true when a job was assigned. */
  offerJob(workerId: string): Promise<boolean>;
  /** Tells the worker to exit once it holds no job; true when delivered. */
  shutdownWorker(workerId: string, reason?: string): boolean;
  isConnected(workerId: string): boolean;
  /** Ids of the workers with a live, registered connection. */
  connectedWorkers(): string[];
  /** Closes every worker connection (going away: agents reconnect and resume) and stops accepting. */
  close(): Promise<void>;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const logger = (opts.logger ?? silentLogger()).child({ component: 'gateway' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes ?? MAX_MESSAGE_BYTES });
  const live = new Map<string, WorkerSession>();
  const all = new Set<WorkerSession>();
  const attached: Array<{ server: Server; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void }> = [];
  let closing = false;

  const ctx: SessionContext = {
    backend: opts.backend,
    logger,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 10_000,
    registerTimeoutMs: opts.registerTimeoutMs ?? 5_000,
    memory: new WorkerMemory(),
    ...(opts.onRejected ? { onRejected: opts.onRejected } : {}),
    async bind(session) {
      const id = session.workerId;
      if (id === null) return;
      const old = live.get(id);
      live.set(id, session);
      // A resume while the old socket looks open means the old one is dead (half-open TCP).
      if (old && old !== session) await old.retire();
    },
    unbind(session) {
      all.delete(session);
      const id = session.workerId;
      if (id === null || live.get(id) !== session) return false;
      live.delete(id);
      return true;
    },
  };

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (closing) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new WorkerSession(ws, ctx, req.socket.remoteAddress ?? 'unknown');
      all.add(session);
      ws.on('close', () => all.delete(session));
    });
  }

  const open = (workerId: string): WorkerSession | undefined => {
    const s = live.get(workerId);
    return s?.isOpen ? s : undefined;
  };

  return {
    handleUpgrade,
    attach(server, path = WORKER_CONNECT_PATH) {
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (pathname === path) return handleUpgrade(req, socket, head);
        // Nobody else will answer this upgrade: refuse it instead of leaving the socket hanging.
        if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      };
      server.on('upgrade', listener);
      attached.push({ server, listener });
    },
    cancelJob(workerId, jobId, reason) {
      const sent = open(workerId)?.send({ type: 'job.cancel', jobId, ...(reason ? { reason } : {}) }) ?? false;
      logger.info({ workerId, jobId, delivered: sent }, 'job cancel sent to worker');
      return sent;
    },
    async offerJob(workerId) {
      const s = open(workerId);
      return s ? s.enqueue(() => s.assignNext(), false) : false;
    },
    shutdownWorker(workerId, reason = 'shutdown requested by the control plane') {
      return open(workerId)?.send({ type: 'shutdown', reason }) ?? false;
    },
    isConnected: (workerId) => open(workerId) !== undefined,
    connectedWorkers: () => [...live.keys()].filter((id) => open(id) !== undefined),
    async close() {
      closing = true;
      for (const { server, listener } of attached.splice(0)) server.off('upgrade', listener);
      const sessions = [...all];
      for (const s of sessions) s.close(CLOSE.goingAway, 'control plane shutting down');
      // Give close handshakes a moment, then cut whatever is left.
      const deadline = Date.now() + 1_000;
      while (all.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of all) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
