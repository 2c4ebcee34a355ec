import { startsWithAny, subjectIsco } from '../conditions.ts';
import type { OccupationSet } from '../schema.ts';
import { type KindCompiled, type KindContext, Memo } from './common.ts';

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

export function compileOccupation({ c, suffix }: KindContext<'occupation'>): KindCompiled {
  const include = toMatcher(c.include);
  const exclude = toMatcher(c.exclude);
  const listName = `${c.list.name}${c.list.asOf ? ` (${c.list.asOf})` : ''}`;
  const need = `an occupation on ${listName}`;
  // Without national codes the outcome follows from the ISCO code and whose it is (offer or profile).
  const subject = c.subject;
  const complete = c.list.complete;
  const byOffer = new Memo<string>();
  const byProfile = new Memo<string>();
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const fromOffer = subject === 'offerOrProfile' && f.offer?.isco08 !== undefined;
      const isco = subjectIsco(f, subject);
      const national = fromOffer ? f.offer?.national : f.profile.occupation.national;
      const memo = national === undefined || national.length === 0 ? (fromOffer ? byOffer : byProfile) : undefined;
      const hit = memo?.get(f, isco);
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
      memo?.record(isco, o);
      return undefined;
    },
  };
}
