import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ALL_SETTINGS } from './config.js';
import { renderConfigurationDoc } from './config-doc.js';
import { packageRoot } from './util/paths.js';

it('docs/configuration.md is generated from the settings table (run `npm run docs:generate` when this fails)', () => {
  const doc = readFileSync(join(packageRoot(), 'docs', 'configuration.md'), 'utf8');
  expect(doc).toBe(renderConfigurationDoc());
  for (const s of ALL_SETTINGS) {
    expect(doc).toContain(`\`${s.key}\``);
    if (s.env) expect(doc).toContain(`\`${s.env}\``);
  }
});
