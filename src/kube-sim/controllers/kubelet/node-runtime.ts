// What the pods of one simulated node share: the node, its image cache, pod IPs, the memory
// sampler, the event recorder and the resolved kubelet options.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStore } from '../../store/index.js';
import type { SimLogger } from '../../types.js';
import type { EventRecorder } from '../events.js';
import type { SimNode } from '../nodes.js';
import type { SimControllerOptions } from '../options.js';
import { DEFAULT_IMAGE_ALLOW_LIST } from './images.js';
import type { MemoryWatch } from './rss.js';

export interface KubeletOptions {
  imagePullLatencyMs: number;
  containerStartLatencyMs: number;
  imageAllowList: string[];
  imagePullBackoffMs: number;
  restartBackoffMs: number;
  volumeMountRetryMs: number;
  agentPathPrefix: string;
  simulatedRunSeconds: number;
  simulatedExitCode: number;
  agentEnv: Record<string, string>;
  podCredentials: SimControllerOptions['podCredentials'];
}

export function kubeletOptions(o: SimControllerOptions): KubeletOptions {
  return {
    imagePullLatencyMs: o.imagePullLatencyMs ?? 200,
    containerStartLatencyMs: o.containerStartLatencyMs ?? 50,
    imageAllowList: o.imageAllowList ?? DEFAULT_IMAGE_ALLOW_LIST,
    imagePullBackoffMs: o.imagePullBackoffMs ?? 5000,
    restartBackoffMs: o.restartBackoffMs ?? 10_000,
    volumeMountRetryMs: o.volumeMountRetryMs ?? 500,
    agentPathPrefix: o.agentPathPrefix ?? '/hodei/bin/',
    simulatedRunSeconds: o.simulatedRunSeconds ?? 0,
    simulatedExitCode: o.simulatedExitCode ?? 0,
    agentEnv: o.agentEnv ?? {},
    podCredentials: o.podCredentials,
  };
}

export class NodeRuntime {
  readonly pulled = new Set<string>();
  private nextIp = 0;
  private readonly usedIps = new Set<string>();

  constructor(
    readonly node: SimNode,
    readonly store: ObjectStore,
    readonly events: EventRecorder,
    readonly logger: SimLogger,
    readonly options: KubeletOptions,
    readonly memoryWatch: MemoryWatch,
    private readonly root: string,
    readonly forget: (rt: { uid: string }) => void,
  ) {}

  now = (): number => this.store.clock.now();

  /** A free pod IP from the node's /24 (10.244.<node>.2-254); wraps around. */
  allocateIp(): string {
    for (let i = 0; i < 253; i++) {
      const ip = `10.244.${this.node.index}.${2 + (this.nextIp++ % 253)}`;
      if (!this.usedIps.has(ip)) { this.usedIps.add(ip); return ip; }
    }
    return `10.244.${this.node.index}.${2 + (this.nextIp++ % 253)}`;
  }

  releaseIp(ip: string | undefined): void {
    if (ip) this.usedIps.delete(ip);
  }

  podDir(uid: string): string {
    const dir = join(this.root, uid);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}
