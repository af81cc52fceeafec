// Request-target normalisation before routing (Fastify's rewriteUrl), so that every spelling of a
// path reaches the route its canonical form reaches: absolute-form targets (`http://host/v1/jobs`)
// become origin-form, dot segments (`/x/../v1/jobs`, `%2e%2e`) are resolved as RFC 3986 §5.2.4 and
// the WHATWG URL parser do. Percent-decoding is left to the router (exactly once), trailing and
// duplicate slashes and letter case to its options (see server.ts). Anything else (`*`,
// authority-form `host:port`) is sent to a path no route has: the router's own reading of such
// targets is not something a decision should rest on.

const ABSOLUTE = /^https?:\/\//i;
/** Where targets that are neither origin- nor absolute-form go: no route, so 401/404. */
export const UNROUTABLE_TARGET = '/-/unroutable-request-target';
/** Only targets with a dot segment need the (slower) URL parser. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$|\?)/i;

export function normalizeRequestTarget(target: string): string {
  try {
    if (ABSOLUTE.test(target)) {
      const u = new URL(target);
      return u.pathname + u.search;
    }
    if (target.startsWith('/') && DOT_SEGMENT.test(target)) {
      // A fixed origin: `//x` must stay a path, never become a host.
      const u = new URL(`http://h${target}`);
      return u.pathname + u.search;
    }
  } catch {
    // Not a URL the parser accepts: the router answers it (404, or 400 for bad encoding).
  }
  return target.startsWith('/') ? target : UNROUTABLE_TARGET;
}
