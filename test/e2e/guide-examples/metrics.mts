// Guide § "Using Metrics".
import { KubernetesProviderMetrics } from 'hodei';

// Create metrics instance
const metrics = new KubernetesProviderMetrics();

// Record worker creation
metrics.incrementWorkersCreated();
metrics.setWorkersActive(10);

// Record pod creation time
metrics.observePodCreation(1500); // 1.5 seconds

// Record API request
metrics.recordApiRequest(false); // Success
metrics.recordApiRequest(true); // Error

// Get metrics summary
console.log(metrics.getSummary());

// The same numbers, as Prometheus scrapes them (the metrics' own registry).
console.log(await metrics.registry.metrics());
