// Debian packages the tests talk to for real. Installed here when running as root; otherwise the
// run stops with the exact install command (never a silent skip).
import { execSync, spawnSync } from 'node:child_process';

/** binary on PATH → Debian package providing it */
export const SYSTEM_PACKAGES = { kubectl: 'kubernetes-client', promtool: 'prometheus', prometheus: 'prometheus', amtool: 'prometheus-alertmanager', chromium: 'chromium' };

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

export function ensureSystemPackages(pkgs = SYSTEM_PACKAGES) {
  const missing = Object.entries(pkgs).filter(([bin]) => !has(bin)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${[...new Set(missing)].join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`Tests need system packages that are missing: ${missing.join(', ')}.\nInstall them with:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.log(`=== installing system packages: ${missing.join(' ')}`);
  execSync(cmd, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
