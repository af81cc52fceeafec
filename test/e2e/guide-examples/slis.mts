// Guide § "SLIs".
import { KubernetesSLIs, KubernetesSLOs, checkSloCompliance } from 'hodei';

const slos = KubernetesSLOs.default();

const slis = new KubernetesSLIs({
  currentPodCreationTime: 15.0,
  workerCreationSuccessRate: 0.996,
  currentApiErrorRate: 0.003,
  currentHpaResponseTime: 25.0,
  workersCreatedLastHour: 120,
  workersFailedLastHour: 1,
});

// Check SLO compliance
const [compliant, violations] = slis.checkSloCompliance(slos);
console.log(`compliant: ${compliant}`);

if (!compliant) {
  console.log('SLO violations detected:');
  for (const violation of violations) console.log(`  - ${violation}`);
}

// The same check against stricter targets, as a function.
const [strictOk, strictViolations] = checkSloCompliance(slis, { ...slos, maxPodCreationTime: 10, maxApiErrorRate: 0.001 });
console.log(`strict compliant: ${strictOk}`);
for (const violation of strictViolations) console.log(`  - ${violation}`);
