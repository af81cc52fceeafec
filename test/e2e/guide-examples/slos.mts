// Guide § "SLOs".
import { KubernetesSLOs } from 'hodei';

const slos = KubernetesSLOs.default();
// Or customize:
const customSlos: KubernetesSLOs = {
  maxPodCreationTime: 20, // 20 seconds
  minWorkerCreationSuccessRate: 0.995, // 99.5%
  maxApiErrorRate: 0.005, // 0.5%
  maxHpaResponseTime: 30, // 30 seconds
};

console.log(JSON.stringify(slos));
console.log(JSON.stringify(customSlos));
