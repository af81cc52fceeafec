// Helpers for queue tests: the /v1/queues calls.
import type { QueueView } from '../../src/jobs/queues.js';

interface Server { url: string; token: string }

/** GET/PUT/PATCH /v1/queues/{name}; throws with the server's answer on a non-2xx. */
export async function queueCall(s: Server, method: 'GET' | 'PUT' | 'PATCH', name: string, body?: object): Promise<QueueView> {
  const res = await fetch(`${s.url}/v1/queues/${encodeURIComponent(name)}`, {
    method, headers: { authorization: `Bearer ${s.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /v1/queues/${name}: ${res.status} ${text}`);
  return JSON.parse(text) as QueueView;
}
