// hodei config view: the server configuration the same flags, env and file would give, with the
// source of each value (flag, env, file, default) and secrets masked.
import type { Command } from 'commander';
import { ALL_SETTINGS, explainConfig, type ConfigSource } from '../config.js';
import { addOutputOptions, renderList, type OutputFlags } from './output.js';
import { addSettingFlags, settingsFromFlags } from './setting-flags.js';

export interface ViewRow { key: string; value: string; source: ConfigSource | 'unset'; env: string | null }

const SECRET = new Set(ALL_SETTINGS.filter((s) => s.secret).map((s) => s.key));

function get(o: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}

/** Every known setting with its effective value (masked when secret) and where it came from. */
export function configRows(opts: Parameters<typeof explainConfig>[0]): ViewRow[] {
  const { config, sources } = explainConfig(opts);
  return ALL_SETTINGS.map((s) => {
    const v = get(config, s.key);
    const shown = v === undefined ? (s.defaultText ? `(${s.defaultText})` : '-') : SECRET.has(s.key) ? '******' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return { key: s.key, value: shown, source: v === undefined ? 'unset' : sources[s.key] ?? 'default', env: s.env ?? null };
  });
}

export function registerConfigViewCommand(config: Command): void {
  addOutputOptions(addSettingFlags(config.command('view')
    .description('print the effective server configuration (same flags as hodei server) with each value\'s source; secrets masked')
    .option('--all', 'include settings that are unset')), ['table', 'wide', 'json', 'yaml'])
    .action((opts: Record<string, unknown> & OutputFlags & { all?: boolean }) => {
      const rows = configRows(settingsFromFlags(opts)).filter((r) => opts.all || r.source !== 'unset');
      const doc = Object.fromEntries(rows.map((r) => [r.key, { value: r.value, source: r.source }]));
      process.stdout.write(renderList(opts, doc, rows, {
        name: (r) => r.key,
        columns: [
          { header: 'SETTING', value: (r) => r.key },
          { header: 'VALUE', value: (r) => r.value },
          { header: 'SOURCE', value: (r) => r.source },
          { header: 'ENV', value: (r) => r.env ?? '-', wide: true },
        ],
      }));
    });
}
