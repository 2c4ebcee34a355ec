import type { LookupAddress, LookupOneOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// Webhook URLs are chosen by tenants, and the worker that calls them sits inside our network: without a guard, a
// tenant could make Corridor call the cloud metadata service (169.254.169.254), a database on 10.x or a loopback
// admin port, and read the answers in the delivery log. Only public unicast addresses are allowed, unless an
// operator lists a target for development (CORRIDOR_WEBHOOK_ALLOW, e.g. "127.0.0.1/32,localhost").
//
// The check runs twice: when an endpoint is registered (a clear 422), and inside the connection itself at send
// time (`guardedLookup`), on the very address the socket connects to, so a DNS answer that changes between the
// two (DNS rebinding) cannot get round it.

export class WebhookTargetRefusedError extends Error {
  override name = 'WebhookTargetRefusedError';
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED';
}

export interface WebhookTargetPolicy {
  /** CIDR ranges (or single addresses) that may be called although they are not public. */
  readonly ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
  /** Host names whose addresses may be called whatever they are (development receivers such as `localhost`). */
  readonly hosts: ReadonlySet<string>;
}

export const STRICT_POLICY: WebhookTargetPolicy = { ranges: [], hosts: new Set() };

/** Parses the allow-list: comma-separated CIDRs, addresses and host names. Throws on a malformed entry. */
export function parseWebhookAllowList(spec: string | undefined): WebhookTargetPolicy {
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const hosts = new Set<string>();
  for (const raw of (spec ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry.includes('/')) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const a = ipaddr.parse(entry);
      ranges.push([a, a.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9.-]+$/.test(entry)) hosts.add(entry);
    else throw new Error(`webhook allow-list entry "${raw.trim()}" is neither an address, a CIDR nor a host name`);
  }
  return { ranges, hosts };
}

/** The ipaddr.js range of an address ('unicast' is the only one callable by default). IPv4-mapped IPv6 unwraps. */
export function addressRange(address: string): string {
  let a = ipaddr.parse(address);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return a.range();
}

function allowedAddress(address: string, policy: WebhookTargetPolicy): boolean {
  let a = ipaddr.parse(address);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  if (a.range() === 'unicast') return true;
  return policy.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

/** Throws unless the address may be called for this host under the policy. */
export function assertCallable(host: string, address: string, policy: WebhookTargetPolicy): void {
  if (policy.hosts.has(host.toLowerCase())) return;
  if (!allowedAddress(address, policy))
    throw new WebhookTargetRefusedError(
      `webhook target ${host} resolves to ${address} (${addressRange(address)}), which is not a public address`,
    );
}

const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/** Form checks that need no network: scheme, credentials, and an address given literally. */
export function checkWebhookUrlForm(url: URL, policy: WebhookTargetPolicy): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials; the signature authenticates Corridor';
  const host = hostOf(url);
  if (url.protocol === 'http:' && !policy.hosts.has(host) && !(isIP(host) && policy.ranges.length > 0))
    return 'must use https (plain http only for targets on the development allow-list)';
  if (isIP(host)) {
    try {
      assertCallable(host, host, policy);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return undefined;
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses.map((a) => a.address)),
    ),
  );

/**
 * Registration-time check: the URL's form, and every address its host resolves to now. Returns the reason it is
 * refused, or undefined. (Send time checks again in `guardedLookup`.)
 */
export async function checkWebhookUrl(
  raw: string,
  policy: WebhookTargetPolicy,
  resolve: Resolver = systemResolver,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  const formProblem = checkWebhookUrlForm(url, policy);
  if (formProblem) return formProblem;
  const host = hostOf(url);
  if (isIP(host) || policy.hosts.has(host)) return undefined;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `host ${host} does not resolve`;
  }
  if (addresses.length === 0) return `host ${host} does not resolve`;
  for (const address of addresses) {
    try {
      assertCallable(host, address, policy);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for the sockets that deliver webhooks: resolves as usual, then refuses the connection when any
 * answer is not callable. Because the socket connects to exactly these answers, a rebinding DNS server cannot
 * slip a private address in after the registration check.
 */
export function guardedLookup(policy: WebhookTargetPolicy) {
  return (hostname: string, options: LookupOneOptions & { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addresses) assertCallable(hostname, a.address, policy);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}
