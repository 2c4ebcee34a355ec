import { startsWithAny, subjectIsco } from '../conditions.ts';
import type { Facts } from '../facts.ts';
import type { OccupationSet } from '../schema.ts';
import { DenseMemo, type KindCompiled, type KindContext } from './common.ts';

interface OccMatcher {
  isco: string[];
  national: { system: string; codes: Set<string>; prefixes: string[] }[];
}
const toMatcher = (s: OccupationSet | undefined): OccMatcher => ({
  isco: s?.isco08 ?? [],
  national: (s?.national ?? []).map((n) => ({
    system: n.system.toUpperCase(),
    codes: new Set(n.codes ?? []),
    prefixes: n.prefixes ?? [],
  })),
});
function matches(
  m: OccMatcher,
  isco: string,
  national: readonly { system: string; code: string }[] | undefined,
): string | undefined {
  if (national)
    for (const n of m.national)
      for (const code of national)
        if (code.system.toUpperCase() === n.system && (n.codes.has(code.code) || startsWithAny(code.code, n.prefixes)))
          return `${n.system} ${code.code}`;
  if (startsWithAny(isco, m.isco)) return `ISCO-08 ${isco}`;
  return undefined;
}

/**
 * ISCO codes numbered as first seen, so that a check's outcomes by code sit in an array: one Map lookup per
 * profile (kept on its facts) instead of one per occupation criterion. Past MAX_ISCO_IDS codes, -1: no memo.
 */
const MAX_ISCO_IDS = 4096;
const ISCO_IDS = new Map<string, number>();
function iscoId(f: Facts, fromOffer: boolean, isco: string): number {
  const memo = f.memo;
  let id = fromOffer ? memo.offerIscoId : memo.profileIscoId;
  if (id === undefined) {
    id = ISCO_IDS.get(isco);
    if (id === undefined) {
      id = ISCO_IDS.size < MAX_ISCO_IDS ? ISCO_IDS.size : -1;
      if (id >= 0) ISCO_IDS.set(isco, id);
    }
    if (fromOffer) memo.offerIscoId = id;
    else memo.profileIscoId = id;
  }
  return id;
}

export function compileOccupation({ c, suffix }: KindContext<'occupation'>): KindCompiled {
  const include = toMatcher(c.include);
  const exclude = toMatcher(c.exclude);
  const listName = `${c.list.name}${c.list.asOf ? ` (${c.list.asOf})` : ''}`;
  const need = `an occupation on ${listName}`;
  // Without national codes the outcome follows from the ISCO code and whose it is (offer or profile).
  const subject = c.subject;
  const complete = c.list.complete;
  const byOffer = new DenseMemo(MAX_ISCO_IDS);
  const byProfile = new DenseMemo(MAX_ISCO_IDS);
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const fromOffer = subject === 'offerOrProfile' && f.offer?.isco08 !== undefined;
      const isco = subjectIsco(f, subject);
      const national = fromOffer ? f.offer?.national : f.profile.occupation.national;
      const id = national === undefined || national.length === 0 ? iscoId(f, fromOffer, isco) : -1;
      const memo = id < 0 ? undefined : fromOffer ? byOffer : byProfile;
      const hit = memo?.get(f, id);
      if (hit !== undefined) return hit;
      const whose = fromOffer ? 'offered job' : 'occupation';
      o.need = need;
      o.have = `ISCO-08 ${isco}`;
      const out = matches(exclude, isco, national);
      if (out !== undefined) {
        o.status = 'unmet';
        o.detail = `${whose} ${out} is not on ${listName}${suffix}`;
      } else {
        const hit = matches(include, isco, national);
        if (hit !== undefined) {
          o.status = 'met';
          o.detail = `${whose} ${hit} is on ${listName}${suffix}`;
        } else if (complete) {
          o.status = 'unmet';
          o.detail = `${whose} ISCO-08 ${isco} is not on ${listName}${suffix}`;
        } else {
          o.status = 'unknown';
          o.detail = `${whose} ISCO-08 ${isco}: ${listName} is only partly captured in this pack; check the official list${suffix}`;
        }
      }
      memo?.record(id, o);
      return undefined;
    },
    // With the offer's occupation first, the outcome turns on the offered job's codes when it names one (else on
    // the person's): the codes themselves are the class.
    ...(subject === 'offerOrProfile'
      ? {
          offerClass: (f) => {
            const offer = f.offer;
            if (offer?.isco08 === undefined) return '-';
            return offer.national === undefined || offer.national.length === 0
              ? offer.isco08
              : `${offer.isco08}${JSON.stringify(offer.national)}`;
          },
        }
      : {}),
  };
}
