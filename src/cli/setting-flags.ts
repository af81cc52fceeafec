// `hodei server` and `hodei config view` flags, built from the settings table in src/config.ts
// (the single source of flags, env vars, file keys and defaults).
import { Option, type Command } from 'commander';
import { ALL_SETTINGS, type HodeiConfig, type Setting } from '../config.js';
import { parseInteger } from './common.js';

const attr = (flag: string): string => flag.replace(/^--/, '').split(' ')[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function help(s: Setting): string {
  const dflt = s.defaultText ?? (s.default !== undefined ? String(s.default) : undefined);
  return `${s.description.replace(/`/g, '')} (${[s.env ? `env ${s.env}` : '', dflt ? `default ${dflt}` : ''].filter(Boolean).join(', ')})`;
}

export function addSettingFlags(cmd: Command): Command {
  cmd.option('--config <file>', 'YAML/JSON config file (env HODEI_CONFIG)');
  for (const s of ALL_SETTINGS) {
    if (!s.flag) continue;
    const o = new Option(s.flag, help(s));
    const sch = s.schema as { type?: string; minimum?: number; maximum?: number; enum?: string[] } | undefined;
    if (sch?.type === 'integer') o.argParser(parseInteger(s.flag.split(' ')[0]!, sch.minimum ?? 0, sch.maximum));
    if (sch?.enum) o.choices(sch.enum);
    cmd.addOption(o);
  }
  return cmd;
}

/** Parsed flags → the `flags` layer of loadConfig, and the config file named by --config. */
export function settingsFromFlags(opts: Record<string, unknown>): { flags: Partial<HodeiConfig>; file?: string } {
  const flags: Record<string, unknown> = {};
  const kubernetes: Record<string, unknown> = {};
  for (const s of ALL_SETTINGS) {
    if (!s.flag) continue;
    const v = opts[attr(s.flag)];
    if (v === undefined) continue;
    if (s.key.startsWith('kubernetes.')) kubernetes[s.key.slice('kubernetes.'.length)] = v;
    else flags[s.key] = v;
  }
  if (Object.keys(kubernetes).length) flags.kubernetes = kubernetes;
  return { flags: flags as Partial<HodeiConfig>, ...(typeof opts.config === 'string' ? { file: opts.config } : {}) };
}
