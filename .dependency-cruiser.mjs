// Layering of src/ as docs/architecture.md draws it, checked in the test command (scripts/test.mjs):
//   npx depcruise src --config .dependency-cruiser.mjs --ignore-known .dependency-cruiser-known-violations.json
// The baseline of known violations is empty (issue 12 removed the last ones: pool records and
// tokens moved to the control plane, the Kubernetes extension interface to its own file, kube-sim's
// admin routes and netpol controller to the folders that use them, its deletion code behind an
// interface). Keep it empty: fix a violation rather than baselining it. If one must wait, add it with
//   npx depcruise src --config .dependency-cruiser.mjs --output-type baseline > .dependency-cruiser-known-violations.json
// and write its reason here (the baseline format allows no comments).
// Test code (x.test.ts beside its module; helpers live in test/support/) is not layered.
const TEST = '\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'No folder imports another in a circle (data flows one way).',
      scope: 'folder',
      from: { path: '^src/', pathNot: TEST },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment: 'No module imports itself through others (type-only cycles included).',
      from: { path: '^src/', pathNot: TEST },
      to: { circular: true },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is an entry point: one folder per command, imported by nobody.',
      from: { path: '^src/', pathNot: `^src/cli/|${TEST}` },
      to: { path: '^src/cli/' },
    },
    {
      name: 'nothing-imports-api',
      severity: 'error',
      comment: 'api/ mounts every route from the services handed to it; only control-plane/ (the one wiring) builds it.',
      from: { path: '^src/', pathNot: `^src/(api|control-plane)/|${TEST}` },
      to: { path: '^src/api/' },
    },
    {
      name: 'providers-not-observability',
      severity: 'error',
      comment: 'Providers emit typed events; observability subscribes. The logger is the one shared leaf.',
      from: { path: '^src/providers/', pathNot: TEST },
      to: { path: '^src/observability/', pathNot: '^src/observability/logger\\.ts$' },
    },
    {
      name: 'providers-not-store-or-gateway',
      severity: 'error',
      comment: 'Providers touch processes or Kubernetes only: the control plane owns the store and the worker protocol.',
      from: { path: '^src/providers/', pathNot: TEST },
      to: { path: '^src/(store|gateway)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Not layered: tests; the package index (it only re-exports, and would tie src/ to every folder);
    // the logger, the one leaf every layer shares (a pino instance, no dependency of its own).
    exclude: { path: `^(dist|node_modules)/|${TEST}|^src/index\\.ts$|^src/observability/logger\\.ts$` },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
