// Where the provider's cluster credentials come from, in order: the configured kubeconfig file,
// $KUBECONFIG, the in-cluster service account (when running in a pod), ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../../../errors/errors.js';

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(o: { kubeconfig?: string; context?: string }, env: NodeJS.ProcessEnv = process.env): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  let source: string;
  const fromFile = (path: string, field: string): void => {
    if (!existsSync(path)) throw new ConfigError(field, `kubeconfig file ${path} does not exist`);
    try {
      kc.loadFromFile(path);
    } catch (err) {
      throw new ConfigError(field, `cannot load kubeconfig ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  const envPath = env.KUBECONFIG?.split(delimiter).find((p) => p.trim() !== '');
  if (o.kubeconfig) {
    fromFile(o.kubeconfig, 'kubernetes.kubeconfig');
    source = o.kubeconfig;
  } else if (envPath) {
    fromFile(envPath, 'KUBECONFIG');
    source = `$KUBECONFIG (${envPath})`;
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SA_TOKEN)) {
    kc.loadFromCluster();
    source = 'in-cluster service account';
  } else if (existsSync(join(homedir(), '.kube', 'config'))) {
    fromFile(join(homedir(), '.kube', 'config'), 'kubernetes.kubeconfig');
    source = '~/.kube/config';
  } else {
    throw new ConfigError('kubernetes.kubeconfig', 'no cluster credentials: set --kubeconfig, KUBECONFIG, or run in a pod with a service account');
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) throw new ConfigError('kubernetes.context', `context '${o.context}' is not in ${source}`);
    kc.setCurrentContext(o.context);
  }
  if (!kc.getCurrentCluster()) throw new ConfigError('kubernetes.kubeconfig', `${source} has no current context/cluster`);
  return { kc, source };
}
