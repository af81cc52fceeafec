// A bare WebSocket client that speaks the protocol by hand: for gateway tests that need to send
// exactly what they want (malformed messages, replayed tokens) and see every reply.
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../../src/gateway/protocol.js';
import { waitFor } from './harness.js';

export interface RawClient {
  ws: WebSocket;
  received: ServerMessage[];
  send(msg: object | string): void;
  /** The first received message of this type at or after index `from` (default: any). */
  next<T extends ServerMessage['type']>(type: T, from?: number): Promise<Extract<ServerMessage, { type: T }>>;
  closed: Promise<number>;
}

export async function rawClient(url: string): Promise<RawClient> {
  const ws = new WebSocket(url);
  const received: ServerMessage[] = [];
  ws.on('message', (d) => received.push(JSON.parse(String(d)) as ServerMessage));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws, received, closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    next: <T extends ServerMessage['type']>(type: T, from = 0) => waitFor(
      () => received.slice(from).find((m): m is Extract<ServerMessage, { type: T }> => m.type === type), `a '${type}' message`),
  };
}

export const register = (token: string): object =>
  ({ type: 'register', protocolVersion: 1, token, agentVersion: 'test', pid: 1, hostname: 'test-host' });
