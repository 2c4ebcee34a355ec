import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

it('limits the keyless eligibility check per client address with a 429 problem and retry-after', async () => {
  const payload = {
    profile: { dateOfBirth: '1996-04-02', nationality: 'PH', occupation: { isco08: '2221' } },
    destinations: ['DE'],
    asOf: '2026-01-15',
  };
  const statuses: number[] = [];
  for (let i = 0; i < 301; i++) {
    const res = await t.call({ method: 'POST', url: '/v1/eligibility/check', payload, remoteAddress: '203.0.113.7' });
    statuses.push(res.statusCode);
    if (res.statusCode === 429) {
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ status: 429 });
    }
  }
  expect(statuses.slice(0, 300).every((s) => s === 200)).toBe(true);
  expect(statuses[300]).toBe(429);
  // Another address is not affected.
  const other = await t.call({ method: 'POST', url: '/v1/eligibility/check', payload, remoteAddress: '203.0.113.8' });
  expect(other.statusCode).toBe(200);
});
