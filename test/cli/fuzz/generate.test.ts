import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiModelApi, ApiModelRoute } from '../../../lib/api/api-model';
import { CaseGenerator, FuzzCase, RoutePlan } from '../../../lib/cli/fuzz/generate';
import { BodySchema, GenerateSync, loadGenerator } from '../../../lib/cli/fuzz/schema';

/** The parts of an API model the generator reads. */
const API = {
  authorization: { header: 'Authorization', scheme: 'Bearer', authorizer: 'COGNITO' },
  apiKey: { required: false, header: 'x-api-key' },
  mutualTls: false,
} as unknown as ApiModelApi;

function plan(schema: Record<string, unknown>, generate: GenerateSync): RoutePlan {
  const route: ApiModelRoute = {
    method: 'PATCH',
    path: '/v1/orders',
    version: 'v1',
    pathParameters: [],
    queryParameters: [],
    headerParameters: [],
    body: { contentType: 'application/json', schema },
    scopes: [],
    authorization: 'NONE',
    apiKeyRequired: false,
    throttle: { rateLimit: 10, burstLimit: 20 },
  };
  return { route, key: 'PATCH /v1/orders', body: new BodySchema(schema, generate) };
}

function pollution(cases: FuzzCase[]): FuzzCase {
  const found = cases.find((c) => c.probe === 'prototype-pollution');
  if (!found) throw new Error(`no prototype-pollution case among ${cases.map((c) => c.probe).join(', ')}`);
  return found;
}

describe('csm-fuzz case generator', () => {
  let generate: GenerateSync;
  beforeAll(async () => {
    generate = await loadGenerator();
  });

  it.each([
    ['no properties', { type: 'object' }],
    ['optional properties only', { type: 'object', properties: { note: { type: 'string' }, count: { type: 'integer' } } }],
    ['an array', { type: 'array', items: { type: 'number' } }],
    ['a reference to another model', { $ref: 'https://apigateway.amazonaws.com/restapis/abc/models/Other' }],
  ])('sends the prototype-pollution body as JSON when a valid body of the schema (%s) is empty or not an object', (_what, schema) => {
    const route = plan(schema, generate);
    for (let seed = 0; seed < 16; seed++) {
      const body = pollution(new CaseGenerator({ api: API, seed, clientCert: false, userAgent: 'test' }).coverage(route)).request.body!;
      const parsed = JSON.parse(body) as Record<string, unknown>;
      expect(Object.keys(parsed).slice(0, 2)).toEqual(['__proto__', 'constructor']);
      expect(parsed.__proto__).toEqual({ isAdmin: true });
    }
  });

  it('keeps the fields of a non-empty valid body after the polluting keys', () => {
    const route = plan({ type: 'object', required: ['item'], properties: { item: { type: 'string', enum: ['book'] } } }, generate);
    const body = pollution(new CaseGenerator({ api: API, seed: 7, clientCert: false, userAgent: 'test' }).coverage(route)).request.body;
    expect(body).toBe('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}},"item":"book"}');
  });
});
