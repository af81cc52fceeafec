// Names a Kubernetes API request the way the API server's own metrics do: verb (get, list, watch,
// create, update, patch, delete, deletecollection), resource (`pods`, `pods/log`) and a bounded
// endpoint template (`/api/v1/namespaces/{namespace}/pods/{name}`) — never a pod or namespace name,
// so these can be metric labels.

export interface RequestDescription {
  verb: string;
  resource: string;
  endpoint: string;
  namespace?: string;
  name?: string;
}

export function describeRequest(method: string, url: URL): RequestDescription {
  const parts = url.pathname.split('/').filter(Boolean);
  const watch = url.searchParams.get('watch');
  const isWatch = watch === 'true' || watch === '1';
  let i: number;
  let prefix: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    i = 2;
    prefix = parts.slice(0, 2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    i = 3;
    prefix = parts.slice(0, 3);
  } else {
    return { verb: method.toLowerCase(), resource: 'nonresource', endpoint: `/${parts.slice(0, 2).join('/')}` };
  }
  const tmpl = [...prefix];
  let namespace: string | undefined;
  if (parts[i] === 'namespaces' && parts.length > i + 2) {
    namespace = parts[i + 1];
    tmpl.push('namespaces', '{namespace}');
    i += 2;
  }
  const resource = parts[i] ?? '';
  tmpl.push(resource);
  const name = parts[i + 1];
  const sub = parts[i + 2];
  if (name !== undefined) tmpl.push('{name}');
  if (sub !== undefined) tmpl.push(sub);
  const fullResource = sub ? `${resource}/${sub}` : resource;
  const verb = verbOf(method, name !== undefined, isWatch);
  return {
    verb, resource: fullResource, endpoint: `/${tmpl.join('/')}`,
    ...(namespace !== undefined ? { namespace } : resource === 'namespaces' && name ? { namespace: name } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method.toUpperCase()) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
