// docs/cli.md against the CLI itself: every command commander knows has a section, and every flag
// appears in it (common flags once, in "Common flags"; server settings in docs/configuration.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { expect, it } from 'vitest';
import { ALL_SETTINGS } from '../../src/config.js';
import { buildProgram } from '../../src/cli/program.js';
import { packageRoot } from '../../src/util/paths.js';

const COMMON = new Set(['--server', '--context', '--data-dir', '--output', '--json', '--no-headers', '--help']);
const SETTING_FLAGS = new Set(['--config', ...ALL_SETTINGS.flatMap((s) => (s.flag ? [s.flag.split(' ')[0]!] : []))]);

function leaves(cmd: Command, path: string[] = []): Array<{ path: string; cmd: Command }> {
  if (cmd.commands.length === 0) return path.length ? [{ path: path.join(' '), cmd }] : [];
  return cmd.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

it('docs/cli.md documents every command and flag', async () => {
  const doc = readFileSync(join(packageRoot(), 'docs', 'cli.md'), 'utf8');
  const configDoc = readFileSync(join(packageRoot(), 'docs', 'configuration.md'), 'utf8');
  const common = doc.slice(doc.indexOf('## Common flags'), doc.indexOf('## Contexts'));
  const missing: string[] = [];
  for (const { path, cmd } of leaves(await buildProgram())) {
    const start = doc.indexOf(`### hodei ${path}\n`);
    if (start < 0) {
      missing.push(`section ### hodei ${path}`);
      continue;
    }
    const end = doc.indexOf('\n### ', start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    for (const flag of cmd.options.map((o) => o.long).filter((f): f is string => !!f)) {
      const isSetting = (path === 'server' || path === 'config view') && SETTING_FLAGS.has(flag);
      const where = isSetting ? configDoc : COMMON.has(flag) && !section.includes(flag) ? common : section;
      if (!where.includes(isSetting ? `\`${flag}\`` : flag)) missing.push(`${flag} of hodei ${path}`);
    }
  }
  expect(missing).toEqual([]);
});
