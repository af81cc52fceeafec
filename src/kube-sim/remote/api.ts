// A small JSON client of a real kube-apiserver for the remote kubelet: one keep-alive HTTPS agent
// built from the kubeconfig (CA + bearer token), plain requests, and a list+watch loop that
// relists on 410 Gone. Deliberately independent of src/providers (kube-sim imports nothing there).
import * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface ApiAnswer<T = unknown> { code: number; body: T; headers: Record<string, string | string[] | undefined> }

export class RemoteApi {
  private readonly agent: https.Agent;
  readonly server: URL;
  private readonly headers: Record<string, string>;
  /** The kubeconfig user's bearer token. */
  readonly token: string;

  constructor(kubeconfigPath: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    if (!cluster || !user?.token) throw new Error(`${kubeconfigPath}: needs a cluster and a token user`);
    this.server = new URL(cluster.server);
    const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64') : undefined;
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 16, ...(ca ? { ca } : {}) });
    this.token = user.token;
    this.headers = { authorization: `Bearer ${user.token}`, accept: 'application/json' };
  }

  /** One request; JSON body in and out. Never throws on an HTTP status (the caller decides). */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.server), {
        method, agent: this.agent,
        headers: { ...this.headers, ...(payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
          resolve({ code: res.statusCode ?? 0, body: parsed as T, headers: res.headers });
        });
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** request() that throws unless the answer is 2xx (or one of `ok`). */
  async must<T = unknown>(method: string, path: string, body?: unknown, contentType?: string, ok: number[] = []): Promise<ApiAnswer<T>> {
    const r = await this.request<T>(method, path, body, contentType);
    if ((r.code < 200 || r.code > 299) && !ok.includes(r.code)) {
      const msg = (r.body as { message?: string } | undefined)?.message ?? '';
      throw new Error(`${method} ${path}: HTTP ${r.code} ${msg}`);
    }
    return r;
  }

  /**
   * List, then watch from the list's resourceVersion, forever (until `signal` aborts): each object
   * is handed to `onEvent` ('ADDED' for the listed ones; 'SYNC' after each list, with the names seen,
   * so the caller can drop what disappeared while no watch was open).
   */
  async listWatch(path: string, signal: AbortSignal, onEvent: (type: string, obj: WatchedObject) => void, onSync: (seen: Set<string>) => void): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    while (!signal.aborted) {
      try {
        const list = await this.must<{ metadata: { resourceVersion: string }; items: WatchedObject[] }>('GET', path);
        const seen = new Set<string>();
        for (const o of list.body.items) { seen.add(keyOf(o)); onEvent('ADDED', o); }
        onSync(seen);
        let rv = list.body.metadata.resourceVersion;
        for (;;) {
          const next = await this.watchOnce(`${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=300`, signal, onEvent);
          if (next === 'gone' || signal.aborted) break;
          rv = next;
        }
      } catch (e) {
        if (signal.aborted) return;
        void e; // the API server restarting or refusing for a moment: list again shortly
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** One watch stream; resolves with the last resourceVersion seen, or 'gone' (410: relist). */
  private watchOnce(path: string, signal: AbortSignal, onEvent: (type: string, obj: WatchedObject) => void): Promise<string | 'gone'> {
    let last = new URLSearchParams(path.split('?')[1]).get('resourceVersion') ?? '';
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.server), { agent: this.agent, headers: this.headers, signal }, (res) => {
        if (res.statusCode === 410) { res.resume(); resolve('gone'); return; }
        if (res.statusCode !== 200) { res.resume(); reject(new Error(`watch ${path}: HTTP ${res.statusCode}`)); return; }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as { type: string; object: WatchedObject & { code?: number } };
            if (ev.type === 'ERROR') { res.destroy(); resolve(ev.object.code === 410 ? 'gone' : last); return; }
            last = ev.object.metadata?.resourceVersion ?? last;
            if (ev.type !== 'BOOKMARK') onEvent(ev.type, ev.object);
          }
        });
        res.on('end', () => resolve(last));
        res.on('error', (e) => (signal.aborted ? resolve(last) : reject(e)));
      });
      req.on('error', (e) => (signal.aborted ? resolve(last) : reject(e)));
      req.end();
    });
  }

  close(): void { this.agent.destroy(); }
}

export interface WatchedObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export const keyOf = (o: { metadata: { namespace?: string; name?: string } }): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
