// `node scripts/k8s-control-plane.mjs [build|path]`: build (or find in the cache) the real
// Kubernetes control plane of test/k8s-control-plane and print where it is and how long it took.
// The cache is ~/.cache/hodei/k8s-<hash of go.mod, go.sum, *.go>/ (HODEI_K8S_CACHE overrides).
const { ensureControlPlaneBinary, GoMissingError } = await import('../dist/kube-sim/remote/control-plane.js');
try {
  const b = ensureControlPlaneBinary((line) => process.stderr.write(`${line}\n`));
  console.log(JSON.stringify(b));
} catch (e) {
  if (e instanceof GoMissingError) { console.error(e.message); process.exit(3); }
  throw e;
}
