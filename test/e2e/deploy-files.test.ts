// deploy/Dockerfile and the Deployment, checked without a container engine (this machine has a
// docker client but no daemon): dockerfile-utils' validator (the VS Code Docker linter), the
// hadolint rules that matter for this image, and the security settings the image and the manifest
// must agree on (non-root uid, read-only root filesystem with the writable paths on volumes).
// test/e2e/k8s-real-deploy.test.ts applies the manifests on a real API server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const DEPLOY = join(packageRoot(), 'deploy');
const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const args = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: Record<string, unknown>;
}
interface Deployment { kind: string; spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } } }
const deployment = parseAllDocuments(readFileSync(join(DEPLOY, 'kubernetes', 'deployment.yaml'), 'utf8'))
  .map((d) => d.toJS() as Deployment).find((d) => d.kind === 'Deployment');

describe('deploy/Dockerfile', () => {
  it('has no problem dockerfile-utils reports', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('passes the hadolint rules that apply (DL3002, DL3006/3007, DL3020, DL3025, DL3016)', () => {
    const stages = dockerfile.getFROMs().map((f) => f.getBuildStage()).filter((s): s is string => !!s);
    for (const from of dockerfile.getFROMs()) {
      const image = from.getImageName() ?? '';
      if (stages.includes(image)) continue;
      expect(from.getImageTag(), `FROM ${image} names a tag (DL3006)`).toBeTruthy();
      expect(from.getImageTag(), `FROM ${image} (DL3007)`).not.toBe('latest');
    }
    expect(args('ADD'), 'COPY, not ADD (DL3020)').toEqual([]);
    for (const k of ['CMD', 'ENTRYPOINT']) for (const a of args(k)) expect(a.trim(), `${k} in JSON form (DL3025)`).toMatch(/^\[.*\]$/);
    for (const run of args('RUN')) {
      expect(run, 'npm ci from the lockfile, not npm install').not.toMatch(/\bnpm (install|i)\b/);
      if (/apt-get install/.test(run)) expect(run).toMatch(/--no-install-recommends/);
    }
    // The last USER of the final stage is a numeric non-root uid (DL3002), so runAsNonRoot can check it.
    const user = args('USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });
});

describe('deploy/kubernetes/deployment.yaml', () => {
  const pod = deployment?.spec.template.spec;
  const main = pod?.containers.find((c) => c.name === 'hodei');

  it('runs as the image user, non-root, read-only root filesystem, restricted settings', () => {
    const uid = Number(args('USER').at(-1)?.split(':')[0]);
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } });
    expect(main?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
    });
  });

  it('puts every path the control plane writes on a volume (the root filesystem is read-only)', () => {
    const mounts = (main?.volumeMounts ?? []).map((m) => m.mountPath);
    const dataDir = main?.env?.find((e) => e.name === 'HODEI_DATA_DIR')?.value;
    expect(dataDir).toBeDefined();
    expect(mounts).toContain(dataDir);
    expect(mounts).toContain('/tmp');
  });
});
