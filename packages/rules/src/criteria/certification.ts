import { byPoints, type KindCompiled, type KindContext, Memo, memoised, type Out, plural } from './common.ts';

// ── certifications ────────────────────────────────────────────────────────────────────────────────
export function compileCertification({ c, suffix }: KindContext<'certification'>): KindCompiled {
  const codes = new Set(c.anyOf);
  const need = c.anyOf.join(' or ');
  const notGiven = `certifications not given; needs ${need}${suffix}`;
  const hasNone = `needs ${need}; has none${suffix}`;
  const holds = new Map<string, string>();
  // One undated certification (the usual case): the outcome follows from its code.
  const byCode = new Memo<string>(256);
  /** The plain check, on given certifications. */
  function held(certs: readonly { code: string; date?: string | undefined }[], o: Out): void {
    for (let i = 0; i < certs.length; i++) {
      const cert = certs[i]!;
      if (codes.has(cert.code)) {
        o.status = 'met';
        o.have = cert.code;
        if (cert.date) o.detail = `holds ${cert.code} (${cert.date})${suffix}`;
        else {
          // The codes held are the criterion's own: a handful of sentences.
          let s = holds.get(cert.code);
          if (s === undefined) {
            s = `holds ${cert.code}${suffix}`;
            holds.set(cert.code, s);
          }
          o.detail = s;
        }
        return;
      }
    }
    o.status = 'unmet';
    if (certs.length === 0) {
      o.have = 'none';
      o.detail = hasNone;
      return;
    }
    let have = certs[0]!.code;
    for (let i = 1; i < certs.length; i++) have = `${have}, ${certs[i]!.code}`;
    o.have = have;
    o.detail = `needs ${need}; has ${have}${suffix}`;
  }
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      o.need = need;
      const certs = f.profile.certifications;
      if (certs === undefined) {
        o.status = 'unknown';
        o.detail = notGiven;
        o.have = 'not given';
        return;
      }
      const only = certs.length === 1 && certs[0]!.date === undefined ? certs[0]!.code : undefined;
      if (only !== undefined) {
        const hit = byCode.get(f, only);
        if (hit !== undefined) return hit;
        held(certs, o);
        byCode.record(only, o);
        return undefined;
      }
      held(certs, o);
      return undefined;
    },
  };
}

// ── certification points ──────────────────────────────────────────────────────────────────────────
export function compileCertificationPoints({ c, suffix }: KindContext<'certificationPoints'>): KindCompiled {
  const items = c.items;
  const maxPoints = items.reduce((n, i) => n + i.points, 0);
  const none = `none of: ${items.map((i) => i.label).join('; ')}: 0 points${suffix}`;
  const unknown = `certifications not given (${items.map((i) => `${i.label} ${plural(i.points)}`).join('; ')})${suffix}`;
  /** Bit i: item i is held. Everything written follows from that set. */
  const held = (certs: readonly { code: string }[]): number => {
    let mask = 0;
    for (let i = 0; i < items.length; i++) {
      const code = items[i]!.code;
      for (let j = 0; j < certs.length; j++)
        if (certs[j]!.code === code) {
          mask |= 1 << i;
          break;
        }
    }
    return mask;
  };
  return {
    hasPoints: true,
    threshold: false,
    maxPoints,
    check: memoised(
      (f) => {
        const certs = f.profile.certifications;
        return items.length > 30 ? -1 : certs === undefined ? 0 : 1 + held(certs) * 2;
      },
      (f, o) => {
        const certs = f.profile.certifications;
        if (certs === undefined) {
          o.status = 'unknown';
          o.upside = maxPoints;
          o.detail = unknown;
          return;
        }
        let detail = '';
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!;
          for (let j = 0; j < certs.length; j++)
            if (certs[j]!.code === item.code) {
              o.points += item.points;
              detail = detail ? `${detail}; ${item.label}` : item.label;
              break;
            }
        }
        byPoints(o);
        o.detail = detail ? `${detail}: ${plural(o.points)}${suffix}` : none;
      },
      64,
    ),
  };
}

// ── skills assessments ────────────────────────────────────────────────────────────────────────────
const OUTCOMES = ['none', 'positive', 'pending', 'negative'] as const;
export function compileSkillsAssessment({ c, pack, suffix }: KindContext<'skillsAssessment'>): KindCompiled {
  const destination = pack.destination;
  const authorities = c.authorities ? new Set(c.authorities.map((a) => a.toUpperCase())) : undefined;
  const need = `a positive skills assessment for ${destination}${c.authorities ? ` (${c.authorities.join('/')})` : ''}`;
  const notGiven = `skills assessments not given; needs ${need}${suffix}`;
  const noneFor = `no skills assessment for ${destination}; needs ${need}${suffix}`;
  // Keyed by the outcome and the assessing authority's name.
  const byOutcome = [new Memo<string>(256), new Memo<string>(256), new Memo<string>(256), new Memo<string>(256)];
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      o.need = need;
      const list = f.profile.skillsAssessments;
      if (list === undefined) {
        o.status = 'unknown';
        o.detail = notGiven;
        o.have = 'not given';
        return;
      }
      let best: 'positive' | 'pending' | 'negative' | 'none' = 'none';
      let who = '';
      for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        if (a.destination !== destination) continue;
        if (authorities && !authorities.has(a.authority.toUpperCase())) continue;
        if (a.outcome === 'positive' || (a.outcome === 'pending' && best !== 'positive') || best === 'none') {
          best = a.outcome;
          who = a.authority;
        }
      }
      o.status = best === 'positive' ? 'met' : best === 'pending' ? 'unknown' : 'unmet';
      if (best === 'none') {
        o.have = 'none';
        o.detail = noneFor;
        return;
      }
      const memo = byOutcome[OUTCOMES.indexOf(best)]!;
      const hit = memo.get(f, who);
      if (hit !== undefined) return hit;
      o.have = `${best} (${who})`;
      o.detail = `skills assessment ${o.have}${suffix}`;
      memo.record(who, o);
      return undefined;
    },
  };
}

// ── nationality ───────────────────────────────────────────────────────────────────────────────────
export function compileNationality({ c, suffix }: KindContext<'nationality'>): KindCompiled {
  const set = new Set(c.in);
  const list = c.in.join(', ');
  const need = `nationality ${list}`;
  const memo = new Memo<string>(1024);
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const n = f.profile.nationality;
      const hit = memo.get(f, n);
      if (hit !== undefined) return hit;
      o.status = set.has(n) ? 'met' : 'unmet';
      o.detail = `nationality ${n}: ${set.has(n) ? 'a partner country' : 'not a partner country'} (${list})${suffix}`;
      o.need = need;
      o.have = n;
      memo.record(n, o);
      return undefined;
    },
  };
}
