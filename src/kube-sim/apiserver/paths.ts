// Turn a request path + method into Kubernetes request attributes (resource, namespace, name,
// subresource, verb), like the API server's RequestInfoResolver.
import { errors, findResource, type ResourceDef } from '../store/index.js';

export interface ResourceRequest {
  def: ResourceDef;
  verb: string; // get list watch create update patch delete deletecollection
  namespace?: string;
  name?: string;
  subresource?: string;
}

function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD': return hasName ? 'get' : watch ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return hasName ? 'delete' : 'deletecollection';
    default: throw errors.methodNotAllowed();
  }
}

/**
 * undefined: not a resource path (discovery, health...). Throws 404 for an unknown resource.
 * Handles /api/v1/..., /apis/<group>/<version>/..., namespaced and cluster-wide forms.
 */
export function parseResourcePath(pathname: string, method: string, watch: boolean): ResourceRequest | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string, version: string, rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) { group = ''; version = parts[1] ?? ''; rest = parts.slice(2); }
  else if (parts[0] === 'apis' && parts.length >= 4) { group = parts[1] ?? ''; version = parts[2] ?? ''; rest = parts.slice(3); }
  else return undefined;

  let namespace: string | undefined;
  // namespaces/<ns>/<resource>/... unless it is the namespace object itself (or its subresource).
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = findResource(group, version, rest[2] ?? '');
    if (candidate?.namespaced) { namespace = rest[1]; rest = rest.slice(2); }
  }
  const [resource = '', name, subresource, ...extra] = rest;
  const def = findResource(group, version, resource);
  if (!def || extra.length > 0) throw new NotFoundPath();
  if (subresource !== undefined && !def.subresources.includes(subresource)) throw new NotFoundPath();
  let verb = verbOf(method, name !== undefined, watch);
  // PUT/PATCH need an object, POST a collection (or a subresource such as pods/x/binding).
  if (((verb === 'update' || verb === 'patch') && name === undefined) || (verb === 'create' && name !== undefined && subresource === undefined)) throw errors.methodNotAllowed();
  if (verb === 'get' && watch) verb = 'watch';
  const out: ResourceRequest = { def, verb };
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  return out;
}

/** The API server answers unknown paths with a 404 Status whose message is "the server could not find the requested resource". */
export class NotFoundPath extends Error {
  constructor() { super('the server could not find the requested resource'); }
}
