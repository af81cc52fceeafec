// hodei pools list|create|update|delete: worker pools (Kubernetes Deployment + HPA) over /v1/pools.
import { InvalidArgumentError, type Command } from 'commander';
import { ApiError, UnreachableError } from '../client/client.js';
import { addClientOptions, addConnectionOptions, clientFrom, parseInteger, resolveClient, type ClientFlags } from './common.js';
import { renderList, renderListOr, toJson, type ListView } from './output.js';

interface PoolStatusJson { desiredReplicas: number | null; currentReplicas: number | null; readyWorkers: number; conditions: Array<{ type: string; status: string; reason?: string }> }
interface PoolJson { name: string; spec: { min: number; max: number; target: { type: string; averageUtilization?: number; averageValue?: number } }; status: PoolStatusJson }

interface PoolFlags extends ClientFlags { min?: number; max?: number; cpuTarget?: number; queueTarget?: number; cpu?: string; memory?: string; scaleDownWindow?: number }

async function call<T>(flags: ClientFlags, method: string, path: string, body?: unknown): Promise<T | undefined> {
  const base = clientFrom(flags).baseUrl.replace(/\/$/, '');
  const { token } = resolveClient(flags);
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  let res: Response;
  try {
    res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (err) {
    throw new UnreachableError(base, err);
  }
  const text = await res.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? text.slice(0, 200), e?.details ?? {});
  }
  return json as T | undefined;
}

export function targetText(t: PoolJson['spec']['target']): string {
  return t.type === 'cpu' ? `cpu ${t.averageUtilization ?? '?'}%` : `queue ${t.averageValue ?? '?'}/worker`;
}

export const poolView: ListView<PoolJson> = {
  name: (p) => `pool/${p.name}`,
  columns: [
    { header: 'NAME', value: (p) => p.name },
    { header: 'MIN', value: (p) => String(p.spec.min) },
    { header: 'MAX', value: (p) => String(p.spec.max) },
    { header: 'TARGET', value: (p) => targetText(p.spec.target) },
    { header: 'DESIRED', value: (p) => String(p.status.desiredReplicas ?? '-') },
    { header: 'CURRENT', value: (p) => String(p.status.currentReplicas ?? '-') },
    { header: 'READY WORKERS', value: (p) => String(p.status.readyWorkers) },
    { header: 'CONDITIONS', value: (p) => p.status.conditions.map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ''}`).join(' ') || '-' },
  ],
};

export function formatPools(pools: PoolJson[]): string {
  return renderListOr('no pools', {}, null, pools, poolView);
}

function target(flags: PoolFlags): Record<string, unknown> | undefined {
  if (flags.cpuTarget !== undefined && flags.queueTarget !== undefined) throw new InvalidArgumentError('give --cpu-target or --queue-target, not both');
  if (flags.cpuTarget !== undefined) return { type: 'cpu', averageUtilization: flags.cpuTarget };
  if (flags.queueTarget !== undefined) return { type: 'queue', averageValue: flags.queueTarget };
  return undefined;
}

function specFlags(cmd: Command): Command {
  return cmd
    .option('--min <n>', 'fewest workers', parseInteger('--min', 1, 10_000))
    .option('--max <n>', 'most workers', parseInteger('--max', 1, 10_000))
    .option('--cpu-target <percent>', 'scale on average CPU utilisation (percent of requests)', parseInteger('--cpu-target', 1, 1000))
    .option('--queue-target <jobs>', 'scale on queued jobs per worker (External metric hodei_jobs_queued)', parseInteger('--queue-target', 1, 100_000))
    .option('--scale-down-window <seconds>', 'HPA scale-down stabilisation window', parseInteger('--scale-down-window', 0, 3600));
}

export function registerPoolsCommand(program: Command): void {
  const pools = program.command('pools').description('worker pools: Deployments of long-lived workers scaled by an HPA (kubernetes provider)');
  addClientOptions(pools.command('list').description('pools with desired/current replicas, ready workers and HPA conditions'))
    .action(async (flags: ClientFlags) => {
      const r = (await call<{ pools: PoolJson[] }>(flags, 'GET', '/v1/pools')) ?? { pools: [] };
      process.stdout.write(renderList(flags, r, r.pools, poolView));
    });
  addConnectionOptions(specFlags(pools.command('create').description('create a pool').argument('<name>', 'pool name (DNS label)'))
    .option('--cpu <quantity>', 'CPU request of each worker').option('--memory <quantity>', 'memory request of each worker')
    .option('--json', 'print the created pool as JSON'))
    .action(async (name: string, flags: PoolFlags) => {
      const t = target(flags);
      if (flags.min === undefined || flags.max === undefined || !t) throw new InvalidArgumentError('create needs --min, --max and --cpu-target or --queue-target');
      const body = {
        name, min: flags.min, max: flags.max, target: t,
        ...(flags.cpu || flags.memory ? { resources: { ...(flags.cpu ? { cpu: flags.cpu } : {}), ...(flags.memory ? { memory: flags.memory } : {}) } } : {}),
        ...(flags.scaleDownWindow !== undefined ? { scaleDownStabilizationSeconds: flags.scaleDownWindow } : {}),
      };
      const p = await call<PoolJson>(flags, 'POST', '/v1/pools', body);
      process.stdout.write(flags.json ? toJson(p) : `pool/${name} created\n`);
    });
  addConnectionOptions(specFlags(pools.command('update').description('change min, max or target of a pool').argument('<name>', 'pool name')).option('--json', 'print the pool as JSON'))
    .action(async (name: string, flags: PoolFlags) => {
      const t = target(flags);
      const body = {
        ...(flags.min !== undefined ? { min: flags.min } : {}), ...(flags.max !== undefined ? { max: flags.max } : {}), ...(t ? { target: t } : {}),
        ...(flags.scaleDownWindow !== undefined ? { scaleDownStabilizationSeconds: flags.scaleDownWindow } : {}),
      };
      if (Object.keys(body).length === 0) throw new InvalidArgumentError('nothing to update: give --min, --max, --cpu-target, --queue-target or --scale-down-window');
      const p = await call<PoolJson>(flags, 'PATCH', `/v1/pools/${encodeURIComponent(name)}`, body);
      process.stdout.write(flags.json ? toJson(p) : `pool/${name} updated\n`);
    });
  addConnectionOptions(pools.command('delete').description('delete a pool, its HPA, Deployment and token').argument('<name>', 'pool name').option('--json', 'print {deleted: name} as JSON'))
    .action(async (name: string, flags: ClientFlags) => {
      await call(flags, 'DELETE', `/v1/pools/${encodeURIComponent(name)}`);
      process.stdout.write(flags.json ? toJson({ deleted: name }) : `pool/${name} deleted\n`);
    });
}
