// Registers the nodes' metrics APIs (metrics-api.ts) with the real API server's aggregator, the way
// metrics-server and a metrics adapter are installed: a Service in kube-system and one APIService
// per group/version pointing at it. There is no kube-proxy here, so the Service is an ExternalName
// (which the aggregator resolves to <externalName>:<APIService port>) naming this machine's loopback.
import type { RemoteApi } from './api.js';
import { EXTERNAL_METRICS_GROUP, METRICS_GROUP } from './metrics-api.js';

const SERVICE = 'kube-sim-metrics';
const NAMESPACE = 'kube-system';
export const METRICS_APISERVICES = [`v1beta1.${METRICS_GROUP}`, `v1beta1.${EXTERNAL_METRICS_GROUP}`];

export async function registerMetricsApis(api: RemoteApi, port: number): Promise<void> {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: SERVICE, namespace: NAMESPACE }, spec: { type: 'ExternalName', externalName: '127.0.0.1' } };
  await api.must('POST', `/api/v1/namespaces/${NAMESPACE}/services`, service, undefined, [409]);
  for (const name of METRICS_APISERVICES) {
    const [version, ...group] = name.split('.');
    const body = {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
      spec: {
        group: group.join('.'), version, groupPriorityMinimum: 100, versionPriority: 100,
        service: { namespace: NAMESPACE, name: SERVICE, port },
        // The aggregator checks the name <service>.<namespace>.svc; the nodes' certificate is for
        // 127.0.0.1 (as metrics-server's self-signed default, installed the same way).
        insecureSkipTLSVerify: true,
      },
    };
    const created = await api.request('POST', '/apis/apiregistration.k8s.io/v1/apiservices', body);
    if (created.code === 409) {
      // A previous run's nodes on a restarted control plane: point the APIService at this port.
      const cur = await api.must<{ metadata: { resourceVersion: string } }>('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
      await api.must('PUT', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`, { ...body, metadata: { name, resourceVersion: cur.body.metadata.resourceVersion } });
    } else if (created.code < 200 || created.code > 299) {
      throw new Error(`create APIService ${name}: HTTP ${created.code} ${JSON.stringify(created.body)}`);
    }
  }
}

/** '' when every metrics APIService is Available, else what is still missing (for a wait loop). */
export async function metricsApisWaiting(api: RemoteApi): Promise<string> {
  for (const name of METRICS_APISERVICES) {
    const r = await api.request<{ status?: { conditions?: { type: string; status: string; message?: string }[] } }>('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
    const available = r.body.status?.conditions?.find((c) => c.type === 'Available');
    if (r.code !== 200 || available?.status !== 'True') return `APIService ${name} Available${available?.message ? ` (${available.message})` : ''}`;
  }
  return '';
}
