import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { apiKeysRepository, type Database } from '@corridor/db';
import type { Actor, ApiKeyRole } from '@corridor/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

// Keys look like crdr_<12-char lookup>_<32-char secret>. The fixed prefix lets secret scanners recognise a
// leaked key; the lookup part finds the row without revealing anything; only a SHA-256 of the key is stored.
const PREFIX = 'crdr_';
const LOOKUP_LENGTH = 12;

export interface IssuedKey {
  key: string;
  lookup: string;
  hash: Buffer;
}

export function issueKey(): IssuedKey {
  const lookup = randomBytes(9).toString('base64url');
  const key = `${PREFIX}${lookup}_${randomBytes(24).toString('base64url')}`;
  return { key, lookup, hash: sha256(key) };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const ha = sha256(a);
  const hb = sha256(b);
  return timingSafeEqual(ha, hb);
}

/** Verified keys are remembered briefly so that a busy client does not cost a key lookup per request. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

export default fp(
  async (app: FastifyInstance, opts: { database: Database; adminKey: string | undefined }) => {
    const cache = new Map<string, { actor: Actor; until: number }>();
    app.decorateRequest('actor', null);

    app.addHook('onRequest', async (req) => {
      const key = parseBearer(req.headers.authorization);
      if (!key) return;
      if (opts.adminKey && sameSecret(key, opts.adminKey)) {
        req.actor = { type: 'platform_admin' };
        return;
      }
      const cached = cache.get(key);
      if (cached && cached.until > Date.now()) {
        req.actor = cached.actor;
        return;
      }
      if (!key.startsWith(PREFIX) || key[PREFIX.length + LOOKUP_LENGTH] !== '_')
        throw unauthorized('the API key is not valid');
      const lookup = key.slice(PREFIX.length, PREFIX.length + LOOKUP_LENGTH);
      const row = await apiKeysRepository.findActiveByLookup(opts.database.db, lookup);
      if (!row || !timingSafeEqual(row.hash, sha256(key))) throw unauthorized('the API key is not valid');
      let actor: Actor;
      if (row.trainee_id) {
        if (row.trainee_status !== 'active') throw unauthorized('the API key is not valid');
        actor = { type: 'trainee', traineeId: row.trainee_id, keyId: row.id };
      } else {
        actor = {
          type: 'organization',
          organizationId: row.organization_id!,
          organizationKind: row.organization_kind!,
          role: row.role as ApiKeyRole,
          keyId: row.id,
        };
      }
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(key, { actor, until: Date.now() + CACHE_TTL_MS });
      req.actor = actor;
    });

    // Erasure and revocation must take effect at once, not after the cache expires.
    app.decorate('forgetKeys', (predicate: (actor: Actor) => boolean) => {
      for (const [k, v] of cache) if (predicate(v.actor)) cache.delete(k);
    });
  },
  { name: 'corridor-auth' },
);

declare module 'fastify' {
  interface FastifyInstance {
    forgetKeys(predicate: (actor: Actor) => boolean): void;
  }
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthorized();
  return req.actor;
}

/** 401 without a key, 403 when the key's role may not do this. Platform admins may do everything. */
export function requireRole(req: FastifyRequest, roles: readonly ApiKeyRole[], action: string): Actor {
  const actor = requireActor(req);
  if (actor.type === 'platform_admin') return actor;
  const role: ApiKeyRole = actor.type === 'trainee' ? 'trainee' : actor.role;
  if (!roles.includes(role)) throw forbidden(`a ${role} key cannot ${action}`);
  return actor;
}

export function requireAdmin(req: FastifyRequest, action: string): Actor {
  const actor = requireActor(req);
  if (actor.type !== 'platform_admin') throw forbidden(`only a platform admin can ${action}`);
  return actor;
}
