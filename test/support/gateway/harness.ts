// Test harness: a real HTTP server on 127.0.0.1 with the gateway attached, and a polling wait.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/gateway.js';

export interface RunningGateway {
  gateway: Gateway;
  server: Server;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/v1/workers/connect */
  wsUrl: string;
  stop(): Promise<void>;
}

/** Starts an HTTP server with the gateway attached (port 0: an ephemeral one). */
export async function startGateway(opts: GatewayOptions, port = 0): Promise<RunningGateway> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const gateway = createGateway(opts);
  gateway.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    gateway, server, port: actual,
    url: `http://127.0.0.1:${actual}`,
    wsUrl: `ws://127.0.0.1:${actual}/v1/workers/connect`,
    async stop() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until fn returns a truthy value; rejects with `what` after timeoutMs. */
export async function waitFor<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
