// docs/configuration.md, generated from the settings table in src/config.ts (`npm run docs:generate`;
// src/config-doc.test.ts fails when the checked-in copy is stale).
import { KUBERNETES_SETTINGS, SECTION_SETTINGS, SETTINGS, type Setting } from './config.js';

const cell = (s: string | undefined): string => (s ? s.replace(/\|/g, '\\|') : '–');
const code = (s: string | undefined): string => (s ? `\`${s}\`` : '–');

function rule(s: Setting): string {
  const sch = s.schema as { type?: string; enum?: string[]; minimum?: number; maximum?: number; description?: string } | undefined;
  if (!sch) return '';
  if (sch.enum) return `one of ${sch.enum.map((v) => `\`${v}\``).join(', ')}`;
  if (sch.description) return sch.description;
  const range = sch.minimum !== undefined ? ` ${sch.minimum}–${sch.maximum ?? '∞'}` : '';
  return `${sch.type ?? ''}${range}`;
}

function rows(list: readonly Setting[], withRule: boolean): string {
  const head = withRule ? '| key | env | flag | default | meaning | rule |\n|---|---|---|---|---|---|' : '| key | env | flag | default | meaning |\n|---|---|---|---|---|';
  return [head, ...list.map((s) => {
    const dflt = s.default !== undefined ? code(String(s.default)) : s.defaultText ? cell(s.defaultText) : '–';
    const base = `| \`${s.key}\` | ${code(s.env)} | ${code(s.flag?.split(' ')[0])} | ${dflt} | ${cell(s.description)}${s.secret ? ' (secret: masked by `hodei config view`)' : ''} |`;
    return withRule ? `${base} ${cell(rule(s))} |` : base;
  })].join('\n');
}

export function renderConfigurationDoc(): string {
  return `# Configuration

<!-- Generated from src/config.ts by \`npm run docs:generate\`; do not edit by hand. -->

Sources, lowest to highest precedence: defaults → config file (\`--config\` / \`HODEI_CONFIG\`, YAML
or JSON with the keys below) → \`HODEI_*\` environment variables → command-line flags of
\`hodei server\`. Everything is validated at start; an error names the field and the rule
(\`config port: must be <= 65535\`), and a key a file does not know is refused with a suggestion
(\`unknown setting 'prot' (did you mean 'port'?)\`).

\`hodei config view\` (same flags as \`hodei server\`) prints the effective value of every setting and
where it came from — \`flag\`, \`env\`, \`file\` or \`default\` — with secrets masked.

## Control plane

${rows(SETTINGS, true)}

## SLOs and events (config file only)

${rows(SECTION_SETTINGS, true)}

## Kubernetes provider (\`kubernetes:\` section)

Validated by the provider's own schema; see [kubernetes-provider.md](kubernetes-provider.md) for
what each does.

${rows(KUBERNETES_SETTINGS, false)}

## Logs

Logs go to stdout: JSON lines (pino) by default, pretty-printed for people when stdout is a
terminal (\`--log-format json|pretty\`). Each request gets one access line with its request id and,
for job routes, the job id; probes (\`/livez\`, \`/readyz\`, \`/startupz\`), \`/metrics\` scrapes and
console assets log at \`debug\`. Secrets, tokens, env values and \`Authorization\` headers are
redacted.

## Client (\`hodei\` commands other than \`server\`)

The CLI's own settings (server URL, token, contexts) are in [cli.md](cli.md#contexts).
`;
}
