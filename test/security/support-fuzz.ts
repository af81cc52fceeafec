// fast-check arbitraries for fuzzing the HTTP API: strings with the characters that break stores,
// parsers and routers, path segments and query strings encoded the way an attacker would, job-ish
// bodies carrying a seeded secret, and request headers.
import fc from 'fast-check';

/** Strings known to trip something somewhere. */
export const SPECIALS = [
  '\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\udbff\udfff', '😀', '\ufffd', '..', '../..', '%', '%00', '%zz', '%ED%A0%80', '\\', '/', '?', '#',
  '&', '=', ';', ' ', '\r\n', '\t', '"', "'", '<script>', '${x}', '__proto__', 'constructor', '-1', '0', '1e309', 'NaN', 'true', 'null',
  'x'.repeat(300), 'é'.repeat(70),
] as const;

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...SPECIALS), fc.string({ maxLength: 8 })).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `a${String.fromCharCode(c)}`) },
);

/** Percent-encodes the UTF-8 of `s` except unreserved characters (lone surrogates become U+FFFD). */
export const pctEncode = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** A path segment: encoded text, or raw sequences the router must cope with. */
export const pathSegment = fc.oneof(
  { weight: 4, arbitrary: nastyString.map(pctEncode) },
  { weight: 2, arbitrary: fc.constantFrom('%ED%A0%80', '%00', '%zz', '%', '%C0%AF', '%2F', '%2e%2e', 'job-1', 'w-1', 'pool-a', 'A'.repeat(257)) },
  { weight: 1, arbitrary: fc.uuid() },
);

export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** A value of roughly the right shape for a field, or anything. */
const fieldValue = fc.oneof(
  nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nastyString, { maxLength: 4 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 4 }), anyJson,
);

/** A job submission: valid-looking with some fields fuzzed; `secret` is always among its secrets. */
export function jobBody(secret: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    command: fc.oneof(fc.constant('true'), nastyString, fieldValue),
    args: fc.oneof(fc.array(nastyString, { maxLength: 5 }), fieldValue),
    env: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('A', 'PATH', 'X_1'), nastyString), nastyString, { maxKeys: 4 }), fieldValue),
    secrets: fc.dictionary(fc.oneof(fc.constantFrom('B', 'TOKEN'), nastyString), nastyString, { maxKeys: 3 }).map((d) => ({ ...d, FUZZ_SECRET: secret })),
    labels: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('team', 'app'), nastyString), nastyString, { maxKeys: 3 }), fieldValue),
    image: fc.oneof(fc.constantFrom('busybox', 'registry.example/x:1'), nastyString),
    resources: fc.oneof(fc.record({ cpu: fc.oneof(fc.constantFrom('500m', '2'), nastyString), memory: fc.oneof(fc.constantFrom('1Gi'), nastyString) }, { requiredKeys: [] }), fieldValue),
    timeoutSeconds: fc.oneof(fc.integer({ min: -5, max: 700_000 }), fieldValue),
    retries: fc.oneof(fc.integer({ min: -1, max: 30 }), fieldValue),
    workingDir: nastyString,
    egress: fc.oneof(fc.array(fc.record({ cidr: fc.oneof(fc.constantFrom('10.0.0.0/8', 'fd00::/8'), nastyString), port: fc.oneof(fc.integer(), fieldValue) }), { maxLength: 2 }), fieldValue),
    unknownField: fieldValue,
  }, { requiredKeys: ['secrets'] });
}

export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/json;;', '') },
);

/** Header values must be visible ASCII for the client to send them at all. */
export const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });

export const queryString = (known: readonly string[]): fc.Arbitrary<string> => fc.array(
  fc.tuple(fc.oneof(fc.constantFrom(...(known.length ? known : ['x'])), nastyString), fc.oneof(nastyString, fc.constantFrom('true', 'false', '1', '0', '1000', 'json', 'ndjson', 'sse', 'queued', 'team=a'))),
  { maxLength: 4 },
).chain((pairs) => fc.boolean().map((raw) => pairs.map(([k, v]) => (raw ? `${pctEncode(k)}=${v.replace(/[#\s]/g, '')}` : `${pctEncode(k)}=${pctEncode(v)}`)).join('&')));
