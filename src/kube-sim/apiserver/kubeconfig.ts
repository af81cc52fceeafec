// A kubeconfig for clients of the simulator (kubectl, @kubernetes/client-node).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigParams {
  server: string;
  token: string;
  /** PEM of the serving CA (HTTPS only). */
  caPem?: string;
  user?: string;
  namespace?: string;
}

export function kubeconfigYaml(p: KubeconfigParams): string {
  const cluster: Record<string, string | boolean> = { server: p.server };
  if (p.caPem) cluster['certificate-authority-data'] = Buffer.from(p.caPem).toString('base64');
  // client-node refuses plain http unless TLS verification is explicitly off.
  else if (p.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  const user = p.user ?? 'kube-sim-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-sim', cluster }],
    users: [{ name: user, user: { token: p.token } }],
    contexts: [{ name: 'kube-sim', context: { cluster: 'kube-sim', user, namespace: p.namespace ?? 'default' } }],
    'current-context': 'kube-sim',
    preferences: {},
  });
}

export function writeKubeconfig(path: string, p: KubeconfigParams): string {
  writeFileSync(path, kubeconfigYaml(p), { mode: 0o600 });
  return path;
}
