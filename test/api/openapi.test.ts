import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

// Every contract path this service implements must be in the OpenAPI document clients generate from.
const CONTRACT_PATHS = {
  '/healthz': ['get'],
  '/readyz': ['get'],
  '/v1/organizations': ['post'],
  '/v1/organizations/{id}': ['get'],
  '/v1/organizations/{id}/api-keys': ['post'],
  '/v1/organizations/{id}/mandates': ['post'],
  '/v1/partnerships': ['post'],
  '/v1/partnerships/{id}': ['get'],
  '/v1/partnerships/{id}/cohorts': ['post'],
  '/v1/vacancies': ['get', 'post'],
  '/v1/vacancies/{id}': ['get', 'patch'],
  '/v1/vacancies/bulk': ['post'],
  '/v1/trainees': ['get', 'post'],
  '/v1/trainees/{id}': ['get', 'patch', 'delete'],
  '/v1/trainees/bulk': ['post'],
  '/v1/trainees/{id}/access-key': ['post'],
  '/v1/trainees/{id}/eligibility': ['get'],
  '/v1/trainees/{id}/matches': ['get'],
  '/v1/eligibility/check': ['post'],
  '/v1/pathways': ['get'],
  '/v1/pathways/{id}': ['get', 'put'],
  '/v1/vacancies/{id}/matches': ['get'],
  '/v1/placements/{id}': ['get'],
  '/v1/placements/{id}/decisions': ['post'],
  '/v1/placements/{id}/milestones': ['post'],
  '/v1/partnerships/{id}/match-rounds': ['post'],
  '/v1/match-rounds/{id}': ['get'],
};

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document listing every contract path built so far', async () => {
    const res = await t.call({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      expect(doc.paths, path).toHaveProperty([path]);
      for (const m of methods) expect(doc.paths[path], `${m} ${path}`).toHaveProperty(m);
    }
    const trainee = doc.paths['/v1/trainees'].post.requestBody.content['application/json'].schema;
    expect(trainee.required).toEqual(expect.arrayContaining(['dateOfBirth', 'nationality', 'occupation']));
  });

  it('renders the interactive reference at /docs', async () => {
    const res = await t.call({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('/openapi.json');
  });
});
