import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

// /docs is only useful if it renders in a browser, offline: the reference's script is served by the API
// itself, not fetched from a CDN. Runs with `pnpm test:browser` (needs Debian's chromium; .ci/run installs it).

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

it('renders the interactive API reference with every resource group', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(`${base}/docs/`);
    await page.getByRole('heading', { name: 'Corridor API' }).waitFor({ timeout: 20_000 });
    for (const group of ['organizations', 'partnerships', 'vacancies', 'trainees']) {
      await expect(page.getByText(group, { exact: true }).first().isVisible()).resolves.toBe(true);
    }
    expect(failed.filter((u) => u.startsWith(base))).toEqual([]);
  } finally {
    await browser.close();
  }
}, 60_000);
