// Loads deploy/kubernetes/*.yaml and validates each object against its JSON schema
// (kubernetes-models for core kinds, @kubernetes-models/prometheus-operator for the CRDs).
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { listDir, read } from './tools.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Validating { validate(): void }
type Model = new (data: never) => Validating;

const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace, 'v1/ServiceAccount': ServiceAccount, 'v1/Service': Service, 'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim, 'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role, 'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole, 'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor, 'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

export const MANIFEST_DIR = 'deploy/kubernetes';

export function loadManifests(): { file: string; obj: Manifest }[] {
  return listDir(MANIFEST_DIR, '.yaml').filter((f) => !f.endsWith('kustomization.yaml')).flatMap((file) =>
    parseAllDocuments(read(file)).map((d) => ({ file, obj: d.toJS() as Manifest })).filter((m) => m.obj !== null));
}

/** Throws the schema error (field path and rule) when the object is invalid; unknown kinds throw too. */
export function validateManifest(obj: Manifest): void {
  const Ctor = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Ctor) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}: add its model to test/support/monitoring/manifests.ts`);
  new Ctor(obj as never).validate();
}
