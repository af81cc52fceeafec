// Guide § "Using Health Checks". The cluster is the bundled simulator; any kubeconfig works.
import { KubeClient, KubernetesHealthChecker, loadKubeConfig, startKubeSim, type HealthCheckResult } from 'hodei';

const sim = await startKubeSim({ nodes: 1 });
const providerId = 'kubernetes';
const client = new KubeClient({ kubeConfig: loadKubeConfig({ kubeconfig: sim.kubeconfig }).kc });
await client.request('POST', '/api/v1/namespaces', {}, { metadata: { name: 'hodei-jobs-workers' } });

const checker = new KubernetesHealthChecker(providerId, client, 'hodei-jobs-workers');

// Perform liveness check
const liveness: HealthCheckResult = await checker.livenessCheck();
console.log(`Liveness: ${liveness.status}`);

// Perform readiness check
const readiness = await checker.readinessCheck();
console.log(`Readiness: ${readiness.status}`);

// Check details
for (const [key, value] of Object.entries(readiness.details)) {
  console.log(`  ${key}: ${value}`);
}

checker.close();
client.close();
await sim.stop();
