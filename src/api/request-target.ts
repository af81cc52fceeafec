// Request-target normalisation before routing (Fastify's rewriteUrl), so that every spelling of a
// path reaches the route its canonical form reaches: absolute-form targets (`http://host/v1/jobs`)
// become origin-form, dot segments (`/x/../v1/jobs`, `%2e%2e`) are resolved as RFC 3986 §5.2.4 and
// the WHATWG URL parser do. Percent-decoding is left to the router (exactly once), trailing and
// duplicate slashes and letter case to its options (see server.ts). Anything else (`*`,
// authority-form `host:port`) is left alone and matches no route.

const ABSOLUTE = /^https?:\/\//i;
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
  return target;
}
