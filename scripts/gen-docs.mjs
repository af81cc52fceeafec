// Regenerates docs/configuration.md from the settings table (needs `npm run build` first).
import { writeFileSync } from 'node:fs';
const { renderConfigurationDoc } = await import('../dist/config-doc.js');
writeFileSync('docs/configuration.md', renderConfigurationDoc());
console.log('wrote docs/configuration.md');
