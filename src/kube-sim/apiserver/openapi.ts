// Minimal OpenAPI v3 documents: enough for kubectl (apply/create validation) to learn that the
// server validates fields itself (PATCH operations tagged with the GVK and a fieldValidation
// parameter), so it sends ?fieldValidation=Strict instead of downloading full schemas. No schemas
// are served, so `kubectl explain` is not supported.
import { apiVersionOf, RESOURCES, type ResourceDef } from '../store/index.js';

const gvPath = (r: ResourceDef) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);

export function openapiV3(pathname: string): unknown {
  if (pathname === '/openapi/v3') {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const r of RESOURCES) paths[gvPath(r)] = { serverRelativeURL: `/openapi/v3/${gvPath(r)}?hash=kube-sim` };
    return { paths };
  }
  const gv = pathname.replace(/^\/openapi\/v3\//, '');
  const defs = RESOURCES.filter((r) => gvPath(r) === gv);
  if (defs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of defs) {
    const base = `/${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-group-version-kind': { group: r.group, kind: r.kind, version: r.version },
        'x-kubernetes-action': 'patch',
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-sim)', version: apiVersionOf(defs[0] as ResourceDef) },
    paths,
    components: { schemas: {} },
  };
}

/** Protobuf length-delimited field. */
function pbField(field: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; len.push(b); } while (n);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

/**
 * GET /openapi/v2 as the protobuf (gnostic openapi_v2.Document) that kubectl ≤ 1.26 downloads
 * before `apply`: swagger "2.0", info, empty paths, no definitions. Lacking a type's schema,
 * kubectl skips client-side validation and computes patches from its built-in types.
 */
export function openapiV2Protobuf(): Buffer {
  const info = Buffer.concat([pbField(1, Buffer.from('Kubernetes (kube-sim)')), pbField(2, Buffer.from('v1.30.0'))]);
  return Buffer.concat([pbField(1, Buffer.from('2.0')), pbField(2, info), pbField(8, Buffer.alloc(0))]);
}
