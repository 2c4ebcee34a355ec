import { describe, expect, it } from 'vitest';
import { addressRange, checkWebhookUrl, parseWebhookAllowList, STRICT_POLICY } from './ssrf.ts';

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

describe('webhook target policy', () => {
  it('calls only public unicast addresses by default', () => {
    expect(addressRange('93.184.216.34')).toBe('unicast');
    expect(addressRange('2606:2800:220:1:248:1893:25c8:1946')).toBe('unicast');
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0'])
      expect(addressRange(a)).not.toBe('unicast');
    for (const a of ['::1', 'fe80::1', 'fd00:ec2::254', '::ffff:10.0.0.1', '::'])
      expect(addressRange(a)).not.toBe('unicast');
  });

  it('refuses a public name that resolves to a private address (the registration-time check)', async () => {
    expect(
      await checkWebhookUrl('https://hooks.example.com/x', STRICT_POLICY, resolvesTo('93.184.216.34')),
    ).toBeUndefined();
    expect(
      await checkWebhookUrl('https://hooks.example.com/x', STRICT_POLICY, resolvesTo('93.184.216.34', '10.0.0.7')),
    ).toMatch(/10\.0\.0\.7 \(private\)/);
    expect(await checkWebhookUrl('https://rebind.example.com/x', STRICT_POLICY, resolvesTo('169.254.169.254'))).toMatch(
      /linkLocal/,
    );
    expect(await checkWebhookUrl('https://nowhere.example/x', STRICT_POLICY, resolvesTo())).toMatch(/does not resolve/);
  });

  it('lets a development allow-list through, and nothing beyond it', async () => {
    const dev = parseWebhookAllowList('127.0.0.1/32, localhost, fd00::/8');
    expect(await checkWebhookUrl('http://127.0.0.1:4000/x', dev, resolvesTo())).toBeUndefined();
    expect(await checkWebhookUrl('http://localhost:4000/x', dev, resolvesTo('127.0.0.1'))).toBeUndefined();
    expect(await checkWebhookUrl('https://127.0.0.2/x', dev, resolvesTo())).toMatch(/not a public address/);
    expect(await checkWebhookUrl('https://10.0.0.1/x', dev, resolvesTo())).toMatch(/not a public address/);
    expect(() => parseWebhookAllowList('127.0.0.1/33')).toThrow();
    expect(() => parseWebhookAllowList('evil host!')).toThrow(/neither an address/);
  });
});
