// hodei health [--verbose] [--json]: liveness, readiness and startup of the control plane, with
// every named check when verbose. Exits 1 when any probe is Unhealthy (Degraded still serves).
import type { Command } from 'commander';
import type { HealthCheckResult } from '../providers/provider.js';
import { addClientOptions, clientFrom, type ClientFlags } from './common.js';
import { renderOne } from './output.js';

type Health = Record<'liveness' | 'readiness' | 'startup', HealthCheckResult>;
const MARK = { Healthy: '+', Degraded: '~', Unhealthy: '-' } as const;

export function formatHealth(h: Health, verbose: boolean): string {
  const out: string[] = [];
  for (const [probe, r] of Object.entries(h)) {
    out.push(`${probe.padEnd(10)} ${r.status.padEnd(9)} (${r.durationMs} ms)`);
    for (const c of r.checks) {
      if (verbose || c.status !== 'Healthy') out.push(`  [${MARK[c.status]}] ${c.name}: ${c.message} (${c.durationMs} ms)`);
    }
  }
  return out.join('\n') + '\n';
}

export function registerHealthCommand(program: Command): void {
  addClientOptions(program.command('health').description('health of the control plane: liveness, readiness, startup')
    .option('-v, --verbose', 'list every named check'), ['table', 'json', 'yaml'])
    .action(async (flags: ClientFlags & { verbose?: boolean }) => {
      const h = await clientFrom(flags).getJson<Health>('/v1/health');
      process.stdout.write(renderOne(flags, h, () => formatHealth(h, flags.verbose === true)));
      if (Object.values(h).some((r) => r.status === 'Unhealthy')) process.exitCode = 1;
    });
}
