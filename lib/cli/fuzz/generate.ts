import fc from 'fast-check';
import type { ApiModelApi, ApiModelRoute } from '../../api/api-model';
import { INJECTION_OBJECTS, INJECTION_STRINGS, OVERRIDE_HEADERS, TRAVERSAL_STRINGS, TRICKY_UNICODE } from './corpus';
import { BodySchema, JsonObject } from './schema';
import { TokenInfo, forgeAlgNone, withClaims } from './tokens';
import type { HttpMethod } from '../../api/route-key';

export type Category = 'valid' | 'body' | 'content-type' | 'parameter' | 'header' | 'smuggling' | 'auth';

/** One request as csm-fuzz sends it. */
export interface FuzzRequest {
  readonly method: HttpMethod;
  /** Path (below the base URL's path) and query, percent-encoded as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Raw header lines and body for framing probes, sent byte for byte on a fresh connection (Host is added). */
  readonly raw?: { readonly headerLines: readonly string[]; readonly body: string };
  /** Present the client certificate (when one was given). */
  readonly clientCert: boolean;
}

/** How a response to the case is judged, beyond "no 5xx, no leak". */
export interface Expectation {
  /** The request breaks the model (schema, required parameter, content type): a 2xx is a finding. */
  readonly invalidPerModel?: string;
  /** Authorization probe: must be refused with 401/403 (a certificate probe also at the TLS handshake). */
  readonly mustRefuse?: boolean;
  /** Malformed framing: must be rejected (4xx or the connection closed). */
  readonly mustReject?: boolean;
  /** Two responses to one request mean the request was split (desync). */
  readonly detectDesync?: boolean;
}

export interface FuzzCase {
  readonly index: number;
  /** `GET /v1/orders/{id}` */
  readonly route: string;
  readonly category: Category;
  readonly probe: string;
  readonly description: string;
  readonly request: FuzzRequest;
  readonly expect: Expectation;
  /** Strings this request put in, removed from response bodies before looking for leaks (echoes are not leaks). */
  readonly sent: readonly string[];
}

/** What the fuzzer knows about one route before generating requests for it. */
export interface RoutePlan {
  readonly route: ApiModelRoute;
  readonly key: string;
  readonly body?: BodySchema;
  /** A token carrying one of the route's scopes (or an opaque token, assumed to). */
  readonly token?: TokenInfo;
  /** A token without any of the route's scopes (for the wrong-scope probe). */
  readonly wrongScopeToken?: TokenInfo;
  /** Why requests beyond the authorization probes would all be refused (missing credentials). */
  readonly notExercisable?: string;
}

export interface GeneratorOptions {
  readonly api: ApiModelApi;
  readonly seed: number;
  readonly apiKey?: string;
  readonly clientCert: boolean;
  readonly userAgent: string;
}

type Draft = Omit<FuzzCase, 'index' | 'route' | 'expect' | 'sent' | 'request'> & {
  readonly request: Partial<FuzzRequest> & { readonly path?: string };
  readonly expect?: Expectation;
  readonly sent?: readonly string[];
  /** The body as a value: judged against the schema when `expect.invalidPerModel` is not set. */
  readonly bodyValue?: unknown;
};
type Kind = (plan: RoutePlan, seed: number) => Draft | undefined;

/** A stable 32-bit seed for one generation step, derived from the run's seed and the step's name. */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `|${parts.join('|')}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h | 0;
}

/** One value of a fast-check arbitrary, fixed by the seed. */
export function sampleOne<T>(arb: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arb, { seed, numRuns: 1 })[0];
}

const SAFE_SEGMENT = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,11}$/);
const LONG_SEGMENT = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1024, maxLength: 4096 });
const UNICODE_TEXT = fc.oneof(fc.constantFrom(...TRICKY_UNICODE), fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }));
const OVERSIZED_BYTES = 1024 * 1024;
const NESTING_DEPTH = 10_000;

/**
 * Builds the requests for one route, deterministically from the seed: `coverage` lists one request of every kind
 * that applies (authorization probes first), `extra(n)` gives the n-th additional randomized request.
 */
export class CaseGenerator {
  private readonly options: GeneratorOptions;

  constructor(options: GeneratorOptions) {
    this.options = options;
  }

  public coverage(plan: RoutePlan): FuzzCase[] {
    const kinds = [...this.authKinds(plan), ...(plan.notExercisable ? [] : this.requestKinds(plan))];
    return kinds.flatMap(([name, kind]) => this.build(plan, kind, deriveSeed(this.options.seed, plan.key, 'coverage', name)) ?? []);
  }

  public extra(plan: RoutePlan, n: number): FuzzCase | undefined {
    if (plan.notExercisable) return undefined;
    const kinds = this.requestKinds(plan).filter(([name]) => RANDOMIZED.has(name));
    const seed = deriveSeed(this.options.seed, plan.key, 'extra', n);
    const [, kind] = kinds[Math.abs(seed) % kinds.length];
    return this.build(plan, kind, deriveSeed(seed, 'value'));
  }

  private build(plan: RoutePlan, kind: Kind, seed: number): FuzzCase | undefined {
    const draft = kind(plan, seed);
    if (!draft) return undefined;
    let expect = draft.expect ?? {};
    if (!expect.invalidPerModel && draft.bodyValue !== undefined && plan.body) {
      const problem = plan.body.problem(draft.bodyValue);
      if (problem) expect = { ...expect, invalidPerModel: `the body breaks the route's schema (${problem})` };
    }
    const base = this.baseRequest(plan, seed);
    const request: FuzzRequest = {
      ...base,
      ...draft.request,
      headers: { ...base.headers, ...draft.request.headers },
    };
    return {
      index: -1,
      route: plan.key,
      category: draft.category,
      probe: draft.probe,
      description: draft.description,
      request: stripUndefinedHeaders(request),
      expect,
      sent: draft.sent ?? [],
    };
  }

  /** A valid request: path parameters, required query and header parameters, credentials, a valid body. */
  private baseRequest(plan: RoutePlan, seed: number): FuzzRequest {
    const { route } = plan;
    const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, Accept: 'application/json' };
    if (plan.token && route.authorization !== 'NONE')
      headers[this.options.api.authorization.header] = `${this.options.api.authorization.scheme} ${plan.token.value}`;
    if (route.apiKeyRequired && this.options.apiKey) headers[this.options.api.apiKey.header] = this.options.apiKey;
    for (const h of route.headerParameters) if (h.required) headers[h.name] = sampleOne(SAFE_SEGMENT, deriveSeed(seed, 'header', h.name));
    const body = plan.body ? plan.body.valid(deriveSeed(seed, 'body')) : undefined;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return {
      method: route.method,
      path: buildPath(route, (name) => encodeURIComponent(sampleOne(SAFE_SEGMENT, deriveSeed(seed, 'path', name))), validQuery(route, seed)),
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      clientCert: this.options.clientCert,
    };
  }

  private authKinds(plan: RoutePlan): [string, Kind][] {
    const { api } = this.options;
    const { route } = plan;
    const auth = api.authorization.header;
    const scheme = api.authorization.scheme;
    const kinds: [string, Kind][] = [];
    const probe = (probe: string, description: string, headers: Record<string, string | undefined>, extra: Partial<FuzzRequest> = {}): Draft => ({
      category: 'auth',
      probe,
      description,
      request: { headers: headers as Record<string, string>, ...extra },
      expect: { mustRefuse: true },
    });
    if (route.authorization !== 'NONE') {
      kinds.push(
        ['no-token', () => probe('no-token', 'no Authorization header', { [auth]: undefined })],
        [
          'garbage-token',
          (_p, seed) =>
            probe('garbage-token', 'a random string as the token', {
              [auth]: `${scheme} ${sampleOne(fc.base64String({ minLength: 40, maxLength: 400 }), seed)}`,
            }),
        ],
        ['empty-bearer', () => probe('empty-bearer', `"${scheme}" without a token`, { [auth]: scheme })],
        ['wrong-scheme', () => probe('wrong-scheme', 'HTTP Basic credentials instead of a token', { [auth]: 'Basic YWRtaW46YWRtaW4=' })],
        [
          'alg-none',
          () =>
            probe('alg-none', 'an unsigned token (alg "none") claiming the route\'s scopes', {
              [auth]: `${scheme} ${forgeAlgNone(plan.token ?? plan.wrongScopeToken, route.scopes)}`,
            }),
        ],
      );
      const jwt = plan.token?.claims ? plan.token : plan.wrongScopeToken?.claims ? plan.wrongScopeToken : undefined;
      if (jwt) {
        kinds.push([
          'expired-token',
          () =>
            probe('expired-token', 'a given token with its expiry moved to 2001 (signature no longer matches)', {
              [auth]: `${scheme} ${withClaims(jwt, { exp: 1_000_000_000 })}`,
            }),
        ]);
      }
      if (plan.wrongScopeToken) {
        const wrong = plan.wrongScopeToken;
        kinds.push([
          'wrong-scope',
          () =>
            probe('wrong-scope', `a valid token without the route's scopes (${route.scopes.join(' or ')})`, { [auth]: `${scheme} ${wrong.value}` }),
        ]);
        if (wrong.claims) {
          kinds.push([
            'scope-tampered',
            () =>
              probe('scope-tampered', "a valid token whose scope claim was edited to the route's scopes (signature no longer matches)", {
                [auth]: `${scheme} ${withClaims(wrong, { scope: route.scopes.join(' ') })}`,
              }),
          ]);
        }
      }
    }
    if (route.apiKeyRequired) {
      kinds.push(
        ['no-api-key', () => probe('no-api-key', 'no API key', { [api.apiKey.header]: undefined })],
        [
          'wrong-api-key',
          (_p, seed) =>
            probe('wrong-api-key', 'an API key that was never issued', {
              [api.apiKey.header]: sampleOne(fc.stringMatching(/^[A-Za-z0-9]{40}$/), seed),
            }),
        ],
      );
    }
    if (api.mutualTls) {
      kinds.push(['no-client-cert', () => probe('no-client-cert', 'no client certificate in the TLS handshake', {}, { clientCert: false })]);
    }
    return kinds;
  }

  private requestKinds(plan: RoutePlan): [string, Kind][] {
    const { route } = plan;
    const kinds: [string, Kind][] = [['valid', validRequest]];
    if (plan.body) kinds.push(...bodyKinds(plan.body), ...contentTypeKinds(plan.body));
    if (route.pathParameters.length > 0) kinds.push(...pathParameterKinds(route));
    kinds.push(['dot-segments', dotSegments]);
    if (route.queryParameters.some((q) => q.required)) kinds.push(['missing-required-query', missingRequiredQuery]);
    kinds.push(
      ['query-injection', queryInjection],
      ['duplicate-query', duplicateQuery],
      ['oversized-header', oversizedHeader],
      ['override-headers', overrideHeaders],
      ...smugglingKinds(),
    );
    return kinds;
  }
}

/** Kinds that `extra` draws from (the others are fixed probes, sent once each). */
const RANDOMIZED = new Set([
  'valid',
  'missing-required',
  'extra-field',
  'wrong-type',
  'out-of-bounds',
  'unicode-strings',
  'injection-strings',
  'injection-operators',
  'long-path-parameter',
  'path-traversal',
  'injection-path-parameter',
  'unicode-path-parameter',
  'query-injection',
  'override-headers',
]);

/** Request kinds of every route, one function each. */
const validRequest: Kind = () => ({ category: 'valid', probe: 'valid', description: 'a valid request built from the model', request: {} });

const dotSegments: Kind = ({ route }, seed) => ({
  category: 'parameter',
  probe: 'dot-segments',
  description: 'literal "/../" segments after the route path',
  request: { path: `${buildPath(route, safeParam(seed), validQuery(route, seed))}`.replace(/(\?|$)/, '/../../../../etc/passwd$1') },
});

const missingRequiredQuery: Kind = ({ route }, seed) => {
  const missing = route.queryParameters.filter((q) => q.required)[Math.abs(seed) % route.queryParameters.filter((q) => q.required).length];
  return {
    category: 'parameter',
    probe: `missing-required-query:${missing.name}`,
    description: `required query parameter "${missing.name}" left out`,
    request: {
      path: buildPath(
        route,
        safeParam(seed),
        validQuery(route, seed).filter(([k]) => k !== missing.name),
      ),
    },
    expect: { invalidPerModel: `the model requires query parameter "${missing.name}"` },
  };
};

const queryInjection: Kind = ({ route }, seed) => {
  const value = sampleOne(fc.constantFrom(...INJECTION_STRINGS, ...TRAVERSAL_STRINGS), seed);
  const name = route.queryParameters.length ? route.queryParameters[Math.abs(seed) % route.queryParameters.length].name : 'q';
  return {
    category: 'parameter',
    probe: 'query-injection',
    description: `query parameter "${name}" = ${JSON.stringify(value)}`,
    request: { path: buildPath(route, safeParam(seed), [...validQuery(route, seed).filter(([k]) => k !== name), [name, value]]) },
    sent: [value],
  };
};

const duplicateQuery: Kind = ({ route }, seed) => ({
  category: 'parameter',
  probe: 'duplicate-query',
  description: 'every query parameter given twice with different values',
  request: {
    path: buildPath(route, safeParam(seed), [...validQuery(route, seed), ...validQuery(route, deriveSeed(seed, 2)), ['q', '1'], ['q', '2']]),
  },
});

const oversizedHeader: Kind = (_p, seed) => ({
  category: 'header',
  probe: 'oversized-header',
  description: 'a 32 KiB header value',
  request: { headers: { 'X-Fuzz-Padding': sampleOne(fc.constantFrom('A', 'Z', '0'), seed).repeat(32 * 1024) } },
});

const overrideHeaders: Kind = (_p, seed) => {
  const headers = sampleOne(fc.constantFrom(...OVERRIDE_HEADERS), seed);
  return {
    category: 'header',
    probe: `override-header:${Object.keys(headers)[0]}`,
    description: `header ${JSON.stringify(headers)}`,
    request: { headers },
  };
};

/** A kind of malformed body: when it applies to a schema, and how it draws one request from a seed. */
interface BodyKind {
  readonly name: string;
  /** @default - every body */
  readonly applies?: (body: BodySchema) => boolean;
  readonly draw: (body: BodySchema, seed: number) => Draft | undefined;
}

const hasRequiredFields = (body: BodySchema) => body.requiredFields().length > 0;
const hasClosedObjects = (body: BodySchema) => body.closedObjects().length > 0;
const hasFields = (body: BodySchema) => body.fields().length > 0;
const hasStringFields = (body: BodySchema) => body.stringFields().length > 0;

/** The body kinds in the order coverage sends them. */
const BODY_KINDS: readonly BodyKind[] = [
  { name: 'missing-required', applies: hasRequiredFields, draw: missingRequired },
  { name: 'extra-field', applies: hasClosedObjects, draw: extraField },
  { name: 'wrong-type', applies: hasFields, draw: wrongType },
  { name: 'out-of-bounds', applies: hasFields, draw: outOfBounds },
  { name: 'unicode-strings', applies: hasStringFields, draw: unicodeStrings },
  { name: 'injection-strings', applies: hasStringFields, draw: injectionStrings },
  { name: 'injection-operators', applies: hasStringFields, draw: injectionOperators },
  { name: 'prototype-pollution', draw: prototypePollution },
  { name: 'not-an-object', draw: notAnObject },
  { name: 'invalid-json', draw: invalidJson },
  { name: 'empty-body', draw: emptyBody },
  { name: 'oversized-body', draw: oversizedBody },
  { name: 'deeply-nested', draw: deeplyNested },
];

function bodyKinds(body: BodySchema): [string, Kind][] {
  return BODY_KINDS.filter((kind) => kind.applies?.(body) ?? true).map(({ name, draw }): [string, Kind] => [name, (_p, seed) => draw(body, seed)]);
}

/** A valid body for the seed (a fresh value the kind may change). */
function validBody(body: BodySchema, seed: number): unknown {
  return body.valid(deriveSeed(seed, 'body')) ?? {};
}

/** A body kind's request: `value` sent as JSON and judged against the schema. */
function bodyDraft(probe: string, description: string, value: unknown, extra: Partial<Draft> = {}): Draft {
  return { category: 'body', probe, description, request: { body: JSON.stringify(value) }, bodyValue: value, ...extra };
}

function missingRequired(body: BodySchema, seed: number): Draft {
  const slot = pick(body.requiredFields(), seed);
  const value = validBody(body, seed);
  return bodyDraft(`missing-required:${slot.path.join('.')}`, `required field "${slot.path.join('.')}" left out`, removeAt(value, slot.path));
}

function extraField(body: BodySchema, seed: number): Draft {
  const at = pick(body.closedObjects(), seed);
  const name = `fuzz_${sampleOne(fc.stringMatching(/^[a-z]{4,8}$/), seed)}`;
  const value = validBody(body, seed);
  return bodyDraft(
    'extra-field',
    `unexpected field "${[...at, name].join('.')}" where additionalProperties is false`,
    setAt(value, [...at, name], sampleOne(fc.jsonValue({ maxDepth: 2 }), deriveSeed(seed, 1))),
  );
}

function wrongType(body: BodySchema, seed: number): Draft {
  const slot = pick(body.fields(), seed);
  const wrong = sampleOne(fc.constantFrom(...wrongTypeValues(slot.types)), deriveSeed(seed, 1));
  return bodyDraft(
    `wrong-type:${slot.path.join('.')}`,
    `field "${slot.path.join('.')}" (${slot.types.join('|') || 'any'}) given ${JSON.stringify(wrong)}`,
    setAt(validBody(body, seed), slot.path, wrong),
  );
}

function outOfBounds(body: BodySchema, seed: number): Draft | undefined {
  const options = body.fields().flatMap((slot) => body.outOfBounds(slot).map((v) => ({ slot, v })));
  if (options.length === 0) return undefined;
  const { slot, v } = pick(options, seed);
  return bodyDraft(
    `out-of-bounds:${slot.path.join('.')}`,
    `field "${slot.path.join('.')}" = ${preview(v.value)} (${v.why})`,
    setAt(validBody(body, seed), slot.path, v.value),
  );
}

function unicodeStrings(body: BodySchema, seed: number): Draft {
  const value = validBody(body, seed);
  const sent: string[] = [];
  for (const [i, slot] of body.stringFields().entries()) {
    const text = sampleOne(UNICODE_TEXT, deriveSeed(seed, i));
    sent.push(text);
    setAt(value, slot.path, text);
  }
  return bodyDraft('unicode-strings', 'every string field set to unusual Unicode (bidi, zero-width, astral, lone surrogates, NUL)', value, {
    sent,
  });
}

function injectionStrings(body: BodySchema, seed: number): Draft {
  const slot = pick(body.stringFields(), seed);
  const text = sampleOne(fc.constantFrom(...INJECTION_STRINGS), deriveSeed(seed, 1));
  return bodyDraft('injection-strings', `field "${slot.path.join('.')}" = ${JSON.stringify(text)}`, setAt(validBody(body, seed), slot.path, text), {
    sent: [text],
  });
}

function injectionOperators(body: BodySchema, seed: number): Draft {
  const slot = pick(body.stringFields(), seed);
  const operator = sampleOne(fc.constantFrom(...INJECTION_OBJECTS), deriveSeed(seed, 1));
  return bodyDraft(
    'injection-operators',
    `field "${slot.path.join('.')}" = ${JSON.stringify(operator)} (NoSQL operator)`,
    setAt(validBody(body, seed), slot.path, operator),
  );
}

function prototypePollution(body: BodySchema, seed: number): Draft {
  // The valid body's fields follow the polluting keys; an empty or non-object body (a schema without required
  // fields, an array, an unresolvable model) adds none.
  const valid = validBody(body, seed);
  const fields =
    valid && typeof valid === 'object' && !Array.isArray(valid) && Object.keys(valid).length > 0 ? `,${JSON.stringify(valid).slice(1)}` : '}';
  const text = `{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}${fields}`;
  const value = JSON.parse(text) as unknown;
  return {
    category: 'body',
    probe: 'prototype-pollution',
    description: '"__proto__" and "constructor.prototype" keys in the body',
    request: { body: text },
    bodyValue: value,
  };
}

function notAnObject(_body: BodySchema, seed: number): Draft {
  const value = sampleOne(fc.constantFrom<unknown>(null, [], 'text', 0, true, [{}]), seed);
  return bodyDraft('not-an-object', `the body is ${JSON.stringify(value)}`, value);
}

function invalidJson(_body: BodySchema, seed: number): Draft {
  const text = sampleOne(
    fc.constantFrom('{"unterminated": ', '{a:1}', "{'single':'quotes'}", '{"a":1,}', '{"a":NaN}', '\u0000{}', '{"a":"\\uZZZZ"}'),
    seed,
  );
  return {
    category: 'body',
    probe: 'invalid-json',
    description: `the body is not JSON: ${JSON.stringify(text)}`,
    request: { body: text },
    expect: { invalidPerModel: 'the body is not JSON' },
  };
}

function emptyBody(): Draft {
  return {
    category: 'body',
    probe: 'empty-body',
    description: 'Content-Type application/json with an empty body',
    request: { body: '' },
    expect: { invalidPerModel: 'an empty body is not JSON' },
  };
}

function oversizedBody(body: BodySchema, seed: number): Draft {
  const value = validBody(body, seed);
  const slot = body.stringFields().length
    ? pick(body.stringFields(), seed).path
    : [...pick(body.closedObjects().length ? body.closedObjects() : [[]], seed), 'fuzz_padding'];
  setAt(value, slot, 'A'.repeat(OVERSIZED_BYTES));
  return bodyDraft('oversized-body', `a 1 MiB string in "${slot.join('.')}"`, value);
}

function deeplyNested(body: BodySchema, seed: number): Draft {
  const open = sampleOne(fc.constantFrom('[', '{"a":'), seed);
  const text = open.repeat(NESTING_DEPTH) + '1' + (open === '[' ? ']' : '}').repeat(NESTING_DEPTH);
  return {
    category: 'body',
    probe: 'deeply-nested',
    description: `JSON nested ${NESTING_DEPTH} levels deep`,
    request: { body: text },
    expect: body.rootIsObject() || open === '[' ? { invalidPerModel: 'the body is nested far deeper than the schema allows' } : {},
  };
}

function contentTypeKinds(body: BodySchema): [string, Kind][] {
  const invalid = (seed: number) => body.invalidExample(deriveSeed(seed, 'invalid'));
  const kind =
    (probe: string, contentType: string | undefined, render: (value: unknown) => string): Kind =>
    (_p, seed) => {
      const bad = invalid(seed);
      if (!bad) return undefined;
      return {
        category: 'content-type',
        probe,
        description: `${contentType ?? 'no Content-Type'} with a body that breaks the schema (${bad.why})`,
        request: { headers: { 'Content-Type': contentType as string }, body: render(bad.value) },
        expect: { invalidPerModel: `the route validates application/json only and this body breaks the schema (${bad.why})` },
      };
    };
  return [
    ['text-plain', kind('content-type:text/plain', 'text/plain', (v) => JSON.stringify(v))],
    [
      'xml',
      kind(
        'content-type:application/xml',
        'application/xml',
        (v) => `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>${escapeXml(JSON.stringify(v))}&x;</r>`,
      ),
    ],
    ['form', kind('content-type:form-urlencoded', 'application/x-www-form-urlencoded', (v) => new URLSearchParams(flatten(v)).toString())],
    ['no-content-type', kind('content-type:none', undefined, (v) => JSON.stringify(v))],
    ['json-charset', kind('content-type:json-utf-7', 'application/json; charset=utf-7', (v) => JSON.stringify(v))],
  ];
}

function pathParameterKinds(route: ApiModelRoute): [string, Kind][] {
  const withParam =
    (probe: string, description: string, value: (seed: number) => string, encode: (v: string) => string = encodeURIComponent): Kind =>
    (_p, seed) => {
      const target = route.pathParameters[Math.abs(seed) % route.pathParameters.length].name;
      const v = value(deriveSeed(seed, 'value'));
      return {
        category: 'parameter',
        probe,
        description: `path parameter "${target}" = ${preview(v)} (${description})`,
        request: { path: buildPath(route, (name) => (name === target ? encode(v) : safeParam(seed)(name)), validQuery(route, seed)) },
        sent: [v],
      };
    };
  return [
    ['long-path-parameter', withParam('long-path-parameter', 'oversized', (seed) => sampleOne(LONG_SEGMENT, seed))],
    ['path-traversal', withParam('path-traversal', 'path traversal', (seed) => sampleOne(fc.constantFrom(...TRAVERSAL_STRINGS), seed))],
    [
      'path-traversal-raw',
      withParam(
        'path-traversal-raw',
        'path traversal, sent unencoded',
        () => '..%2f..%2f..%2fetc%2fpasswd',
        (v) => v,
      ),
    ],
    [
      'injection-path-parameter',
      withParam('injection-path-parameter', 'injection', (seed) => sampleOne(fc.constantFrom(...INJECTION_STRINGS), seed)),
    ],
    [
      'unicode-path-parameter',
      withParam(
        'unicode-path-parameter',
        'Unicode',
        (seed) => sampleOne(UNICODE_TEXT, seed),
        (v) => encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '\uFFFD')),
      ),
    ],
  ];
}

/** Framing probes (request smuggling): sent raw, on their own connection. */
function smugglingKinds(): [string, Kind][] {
  const raw =
    (probe: string, description: string, headerLines: string[], body: string, expect: Expectation): Kind =>
    () => ({
      category: 'smuggling',
      probe,
      description,
      request: { raw: { headerLines, body } },
      expect,
    });
  const smuggled = 'GET /csm-fuzz-smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n';
  return [
    [
      'cl-te',
      raw(
        'cl-te',
        'Content-Length and Transfer-Encoding: chunked together, a second request after the chunked end',
        ['Content-Length: 5', 'Transfer-Encoding: chunked'],
        `0\r\n\r\n${smuggled}`,
        { detectDesync: true },
      ),
    ],
    [
      'te-cl',
      raw(
        'te-cl',
        'Transfer-Encoding: chunked with a short Content-Length, a request hidden in the chunk',
        ['Transfer-Encoding: chunked', 'Content-Length: 4'],
        `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`,
        { detectDesync: true },
      ),
    ],
    [
      'te-space',
      raw(
        'te-space',
        'whitespace between "Transfer-Encoding" and the colon (RFC 9112: must be rejected)',
        ['Transfer-Encoding : chunked'],
        '0\r\n\r\n',
        { mustReject: true },
      ),
    ],
    [
      'duplicate-content-length',
      raw(
        'duplicate-content-length',
        'two different Content-Length headers (RFC 9112: must be rejected)',
        ['Content-Length: 2', 'Content-Length: 7'],
        '{}{"a":1',
        { mustReject: true },
      ),
    ],
    [
      'bare-cr',
      raw('bare-cr', 'a bare CR inside a header value (RFC 9112: must be rejected or replaced)', ['X-Fuzz: a\rTransfer-Encoding: chunked'], '', {
        mustReject: true,
      }),
    ],
    ['obs-fold', raw('obs-fold', 'an obsolete line folding in a header value', ['X-Fuzz: a', ' Transfer-Encoding: chunked'], '', {})],
  ];
}

/** The concrete path (and query) of a route with parameter values filled in. */
export function buildPath(route: ApiModelRoute, param: (name: string) => string, query: readonly [string, string][]): string {
  const path = route.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\+?\}/g, (_m, name: string) => param(name));
  const q = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return q ? `${path}?${q}` : path;
}

function safeParam(seed: number): (name: string) => string {
  return (name) => encodeURIComponent(sampleOne(SAFE_SEGMENT, deriveSeed(seed, 'path', name)));
}

function validQuery(route: ApiModelRoute, seed: number): [string, string][] {
  return route.queryParameters
    .filter((q) => q.required || (deriveSeed(seed, 'optional', q.name) & 1) === 1)
    .map((q) => [q.name, sampleOne(SAFE_SEGMENT, deriveSeed(seed, 'query', q.name))]);
}

function wrongTypeValues(types: readonly string[]): unknown[] {
  const all: [string, unknown][] = [
    ['string', 'fuzz'],
    ['integer', 7],
    ['number', 1.5],
    ['boolean', true],
    ['object', { fuzz: 1 }],
    ['array', ['fuzz']],
    ['null', null],
  ];
  const allowed = new Set(types);
  if (allowed.has('number')) allowed.add('integer');
  const wrong = all.filter(([t]) => !allowed.has(t)).map(([, v]) => v);
  return wrong.length ? wrong : [null];
}

function pick<T>(items: readonly T[], seed: number): T {
  return items[Math.abs(seed) % items.length];
}

function removeAt(value: unknown, path: readonly string[]): unknown {
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as JsonObject)[k] : undefined), value);
  if (parent && typeof parent === 'object') delete (parent as JsonObject)[path[path.length - 1]];
  return value;
}

function setAt(value: unknown, path: readonly string[], v: unknown): unknown {
  if (path.length === 0) return v;
  let o = value as JsonObject;
  for (const k of path.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object' || Array.isArray(o[k])) o[k] = {};
    o = o[k] as JsonObject;
  }
  o[path[path.length - 1]] = v;
  return value;
}

function flatten(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return { value: String(value) };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function preview(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 40)}… (${text.length} characters)` : text;
}

function stripUndefinedHeaders(request: FuzzRequest): FuzzRequest {
  return { ...request, headers: Object.fromEntries(Object.entries(request.headers).filter(([, v]) => v !== undefined)) };
}
