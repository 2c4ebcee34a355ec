import type { LanguageTest } from '@corridor/domain';
import {
  bestCefr,
  type CompiledCondition,
  cefrOpen,
  compileCondition,
  FALSE,
  startsWithAny,
  subjectIsco,
  TRUE,
  UNKNOWN,
} from './conditions.ts';
import { AU_LEVEL_RANK, cefrName, cefrRankOf, jlptRank, meetsSkillMinimums, testToAuLevel } from './conversions.ts';
import { ageOn, DAYS_PER_MONTH, dayNumber, inForce, minusYears } from './dates.ts';
import type { Facts } from './facts.ts';
import type { Criterion, DatedMoney, OccupationSet, RulePack, SkillMinimums } from './schema.ts';

/** What one criterion check writes; a scratch object reused across evaluations. */
export interface Out {
  status: 'met' | 'unmet' | 'unknown';
  detail: string;
  need: string;
  have: string;
  /** Points known now (unknowns count 0). */
  points: number;
  /** Further points possible if the unknowns resolve favourably. */
  upside: number;
}
export type Check = (f: Facts, o: Out) => void;
export interface KindCompiled {
  check: Check;
  hasPoints: boolean;
  /** Decisive unless the pack says otherwise: has a threshold, not only points. */
  threshold: boolean;
  maxPoints: number;
}

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  de: 'German',
  ja: 'Japanese',
  fi: 'Finnish',
  sv: 'Swedish',
  fr: 'French',
};
export const languageName = (code: string): string => LANGUAGE_NAMES[code] ?? code;

/** 52000 → "52,000"; 45934.2 → "45,934.20". No Intl in the hot path. */
export function formatAmount(n: number): string {
  const cents = Math.round(n * 100);
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  let s = String(whole);
  if (whole >= 1000) {
    let out = '';
    while (s.length > 3) {
      out = `,${s.slice(-3)}${out}`;
      s = s.slice(0, -3);
    }
    s += out;
  }
  return frac === 0 ? s : `${s}.${frac < 10 ? '0' : ''}${frac}`;
}

const pointsFor = (status: boolean) => (status ? 'met' : 'unmet');
export const plural = (n: number): string => (n === 1 ? '1 point' : `${n} points`);
const byPoints = (o: Out) => {
  o.status = o.points > 0 ? 'met' : o.upside > 0 ? 'unknown' : 'unmet';
};

export function compileKind(c: Criterion, pack: RulePack): KindCompiled {
  switch (c.kind) {
    case 'age':
      return compileAge(c);
    case 'language':
      return compileLanguage(c);
    case 'auEnglish':
      return compileAuEnglish(c);
    case 'clb':
      return compileClb(c);
    case 'testScores':
      return compileTestScores(c);
    case 'japanese':
      return compileJapanese(c);
    case 'occupation':
      return compileOccupation(c);
    case 'qualification':
      return compileQualification(c, pack.destination);
    case 'experience':
      return compileExperience(c);
    case 'jobOffer':
      return compileJobOffer(c, pack.destination);
    case 'salary':
      return compileSalary(c, pack.destination);
    case 'certification':
      return compileCertification(c);
    case 'skillsAssessment':
      return compileSkillsAssessment(c, pack.destination);
    case 'certificationPoints': {
      const items = c.items;
      const maxPoints = items.reduce((n, i) => n + i.points, 0);
      const none = `none of: ${items.map((i) => i.label).join('; ')}: 0 points`;
      const unknown = `certifications not given (${items.map((i) => `${i.label} ${plural(i.points)}`).join('; ')})`;
      return {
        hasPoints: true,
        threshold: false,
        maxPoints,
        check: (f, o) => {
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
          o.detail = detail ? `${detail}: ${plural(o.points)}` : none;
        },
      };
    }
    case 'nationality': {
      const set = new Set(c.in);
      const need = `nationality ${c.in.join(', ')}`;
      return {
        hasPoints: false,
        threshold: true,
        maxPoints: 0,
        check: (f, o) => {
          const n = f.profile.nationality;
          o.status = pointsFor(set.has(n));
          o.detail = `nationality ${n}: ${set.has(n) ? 'a partner country' : 'not a partner country'} (${c.in.join(', ')})`;
          o.need = need;
          o.have = n;
        },
      };
    }
    case 'auPartner':
      return compileAuPartner(c);
    case 'education':
      return compileEducation(c);
    case 'crsTransferability':
      return compileCrsTransferability();
    case 'fixedPoints': {
      const detail = `${c.label}: ${c.points} points`;
      return {
        hasPoints: true,
        threshold: false,
        maxPoints: c.points,
        check: (_f, o) => {
          o.status = 'met';
          o.points = c.points;
          o.detail = detail;
        },
      };
    }
  }
}

// ── age ────────────────────────────────────────────────────────────────────────────────────────────
type AgeC = Extract<Criterion, { kind: 'age' }>;
function compileAge(c: AgeC): KindCompiled {
  const { min, maxExclusive } = c;
  const bands = (c.pointsBands ?? []).map((b) => ({
    ...b,
    label:
      b.maxExclusive === undefined
        ? `${b.min}+ band`
        : b.maxExclusive - 1 === b.min
          ? `age ${b.min}`
          : `${b.min}–${b.maxExclusive - 1} band`,
  }));
  const threshold = min !== undefined || maxExclusive !== undefined;
  const need =
    min !== undefined && maxExclusive !== undefined
      ? `age ${min} to ${maxExclusive - 1}`
      : min !== undefined
        ? `age ${min} or over`
        : `under ${maxExclusive}`;
  return {
    hasPoints: bands.length > 0,
    threshold,
    maxPoints: Math.max(0, ...bands.map((b) => b.points)),
    check: (f, o) => {
      const age = f.age;
      let band = '';
      for (const b of bands)
        if (age >= b.min && (b.maxExclusive === undefined || age < b.maxExclusive)) {
          o.points = b.points;
          band = b.label;
          break;
        }
      const ok = (min === undefined || age >= min) && (maxExclusive === undefined || age < maxExclusive);
      if (threshold) o.status = ok ? 'met' : 'unmet';
      else byPoints(o);
      const head = `age ${age} on ${f.asOf}`;
      o.detail = !ok
        ? `${head}: needs ${need}`
        : bands.length > 0
          ? `${head}: ${band || 'no band'} (${o.points} points)`
          : `${head}: ${need}`;
      o.need = need;
      o.have = `age ${age}`;
    },
  };
}

// ── CEFR levels ───────────────────────────────────────────────────────────────────────────────────
type LangC = Extract<Criterion, { kind: 'language' }>;
function compileLanguage(c: LangC): KindCompiled {
  const options = c.anyOf.map((a) => ({
    language: a.language,
    min: cefrRankOf(a.minCefr),
    label: `${a.minCefr} ${languageName(a.language)}`,
    name: languageName(a.language),
  }));
  const need = options.map((o) => o.label).join(' or ');
  const tests = c.tests ? Object.entries(c.tests) : [];
  const exempt = new Set(c.exemptNationalities ?? []);
  const rows = [...(c.pointsByCefr ?? [])]
    .map((r) => ({ language: r.language, min: cefrRankOf(r.minCefr), points: r.points }))
    .sort((a, b) => b.points - a.points);
  const maxPoints = Math.max(0, ...rows.map((r) => r.points));
  const pointsLanguage = rows[0]?.language ?? '';
  const pointsLanguageName = languageName(pointsLanguage);
  const threshold = options.length > 0;
  const testsMeet = (f: Facts, language: string): number => {
    // TRUE when an accepted test meets its minimums, UNKNOWN when scores are missing.
    let result: number = FALSE;
    for (const l of f.languages) {
      if (l.language !== language || l.test === undefined) continue;
      for (const [name, mins] of tests) {
        if (l.test.name !== name) continue;
        const ok = meetsSkillMinimums(l.test, mins);
        if (ok === true) return TRUE;
        if (ok === undefined) result = UNKNOWN;
      }
    }
    return result;
  };
  return {
    hasPoints: rows.length > 0,
    threshold,
    maxPoints,
    check: (f, o) => {
      let met = false;
      let open = false;
      let have = '';
      if (threshold && exempt.has(f.profile.nationality)) {
        met = true;
        have = `exempt as a national of ${f.profile.nationality}`;
      } else {
        for (const opt of options) {
          const rank = bestCefr(f, opt.language);
          const bOpen = cefrOpen;
          const shown = `${cefrName(rank)} ${opt.name}`;
          have = have ? `${have}, ${shown}` : shown;
          if (rank >= opt.min) met = true;
          else if (tests.length > 0) {
            const t = testsMeet(f, opt.language);
            if (t === TRUE) {
              met = true;
              have = `${have} (test scores meet the equivalent)`;
            } else if (t === UNKNOWN || bOpen) open = true;
          } else if (bOpen) open = true;
        }
      }
      let pointsNote = '';
      if (rows.length > 0) {
        const rank = bestCefr(f, pointsLanguage);
        const bOpen = cefrOpen;
        for (const r of rows)
          if (rank >= r.min) {
            o.points = r.points;
            break;
          }
        if (bOpen) o.upside = maxPoints - o.points;
        pointsNote = `${cefrName(rank)} ${pointsLanguageName}${bOpen ? ' (some evidence not convertible)' : ''}: ${plural(o.points)}`;
        if (!threshold) have = `${cefrName(rank)} ${pointsLanguageName}`;
      }
      if (!f.languagesKnown) {
        o.status = threshold ? 'unknown' : 'unknown';
        o.upside = maxPoints;
        o.points = 0;
        o.detail = `languages not given${threshold ? `; needs ${need}` : ''}`;
      } else if (threshold) {
        o.status = met ? 'met' : open ? 'unknown' : 'unmet';
        o.detail = `${have}; needs ${need}${open && !met ? ' (a result could not be converted to CEFR)' : ''}${pointsNote ? `; ${pointsNote}` : ''}`;
      } else {
        byPoints(o);
        o.detail = pointsNote;
      }
      o.need = need;
      o.have = have;
    },
  };
}

// ── Australian English ────────────────────────────────────────────────────────────────────────────
type AuC = Extract<Criterion, { kind: 'auEnglish' }>;
const AU_NAMES = ['no recognised level', 'vocational', 'competent', 'proficient', 'superior'] as const;
function compileAuEnglish(c: AuC): KindCompiled {
  const min = AU_LEVEL_RANK[c.min];
  const pts = [0, 0, 0, 0, 0];
  for (const [level, p] of Object.entries(c.pointsByLevel ?? {}))
    pts[AU_LEVEL_RANK[level as keyof typeof AU_LEVEL_RANK]] = p;
  const maxPoints = Math.max(...pts);
  const need = `${c.min} English`;
  return {
    hasPoints: c.pointsByLevel !== undefined,
    threshold: min > 0,
    maxPoints,
    check: (f, o) => {
      const level = f.auEnglish;
      const ok = level >= min;
      o.points = ok ? pts[level]! : 0;
      if (f.auEnglishOpen) o.upside = maxPoints - o.points;
      o.status = ok ? 'met' : f.auEnglishOpen ? 'unknown' : 'unmet';
      const shown = AU_NAMES[level]!;
      o.detail = !f.languagesKnown
        ? `languages not given; needs ${need} (a recognised test)`
        : `${shown} English by test${f.auEnglishOpen ? ' (some English evidence is not a convertible test result)' : ''}; needs ${need}${c.pointsByLevel ? `: ${o.points} points` : ''}`;
      o.need = need;
      o.have = `${shown} English`;
    },
  };
}

// ── Canadian Language Benchmarks ──────────────────────────────────────────────────────────────────
type ClbC = Extract<Criterion, { kind: 'clb' }>;
function compileClb(c: ClbC): KindCompiled {
  const rows = [...(c.pointsPerAbility ?? [])].sort((a, b) => b.clbMin - a.clbMin);
  const perAbility = (clb: number) => {
    for (const r of rows) if (clb >= r.clbMin) return r.points;
    return 0;
  };
  const maxPoints = rows.length > 0 ? 4 * Math.max(...rows.map((r) => r.points)) : 0;
  const minEach = c.minEach;
  const need = minEach === undefined ? '' : `CLB ${minEach} in each ability`;
  return {
    hasPoints: rows.length > 0,
    threshold: minEach !== undefined,
    maxPoints,
    check: (f, o) => {
      const clb = f.clb;
      let have = 'no accepted English test (IELTS General Training or CELPIP)';
      if (clb !== undefined) {
        o.points = perAbility(clb[0]) + perAbility(clb[1]) + perAbility(clb[2]) + perAbility(clb[3]);
        have = `CLB L${clb[0]} R${clb[1]} W${clb[2]} S${clb[3]}`;
      }
      if (f.clbOpen) o.upside = maxPoints - o.points;
      const lowest = clb === undefined ? 0 : Math.min(clb[0], clb[1], clb[2], clb[3]);
      if (minEach !== undefined)
        o.status = lowest >= minEach && clb !== undefined ? 'met' : f.clbOpen ? 'unknown' : 'unmet';
      else byPoints(o);
      o.detail = `${have}${f.clbOpen ? ' (some English evidence could not be converted to CLB)' : ''}${need ? `; needs ${need}` : ''}${rows.length > 0 ? `: ${o.points} points` : ''}`;
      o.need = need;
      o.have = have;
    },
  };
}

// ── per-skill test scores (AU 482) ────────────────────────────────────────────────────────────────
type TestC = Extract<Criterion, { kind: 'testScores' }>;
function describeMins(name: string, m: SkillMinimums): string {
  const parts: string[] = [];
  if (m.overall !== undefined) parts.push(`overall ${m.overall}`);
  if (m.each !== undefined) parts.push(`${m.each} each`);
  for (const [k, v] of [
    ['L', m.listening],
    ['R', m.reading],
    ['W', m.writing],
    ['S', m.speaking],
  ] as const)
    if (v !== undefined) parts.push(`${k}${v}`);
  return `${name} ${parts.join(' ')}`;
}
function compileTestScores(c: TestC): KindCompiled {
  const reqs = c.requirements.map((r) => ({
    ...r,
    entries: Object.entries(r.tests),
    need: `${Object.entries(r.tests)
      .map(([n, m]) => describeMins(n, m))
      .join(', or ')}${r.instrument ? ` (${r.instrument})` : ''}`,
    caveat: r.verification && r.verification !== 'official' ? ` [${r.verification}]` : '',
  }));
  const exempt = new Set(c.exemptNationalities ?? []);
  const language = c.language;
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const req = inForce(reqs, f.asOf);
      o.need = req?.need ?? 'a test requirement in force';
      if (exempt.has(f.profile.nationality)) {
        o.status = 'met';
        o.detail = `exempt as a national of ${f.profile.nationality}`;
        o.have = o.detail;
        return;
      }
      if (req === undefined) {
        o.status = 'unknown';
        o.detail = `no test requirement captured for ${f.asOf}`;
        o.have = 'unknown';
        return;
      }
      if (!f.languagesKnown) {
        o.status = 'unknown';
        o.detail = `languages not given; needs ${req.need}${req.caveat}`;
        o.have = 'not given';
        return;
      }
      let open = false;
      let met = false;
      let have = 'no accepted test';
      for (const l of f.languages) {
        if (l.language !== language) continue;
        if (l.test === undefined) {
          open = true;
          have = 'a level without a test result';
          continue;
        }
        const t: LanguageTest = l.test;
        let accepted = false;
        for (const [name, mins] of req.entries) {
          if (t.name !== name) continue;
          accepted = true;
          const ok = meetsSkillMinimums(t, mins);
          if (ok === true) met = true;
          else if (ok === undefined) open = true;
        }
        have = `${t.name}${t.overall !== undefined ? ` ${t.overall}` : ''}${accepted ? '' : ' (not an accepted test)'}`;
        if (met) break;
      }
      o.status = met ? 'met' : open ? 'unknown' : 'unmet';
      o.detail = `${have}; needs ${req.need}${req.caveat}`;
      o.have = have;
    },
  };
}

// ── Japanese ──────────────────────────────────────────────────────────────────────────────────────
type JaC = Extract<Criterion, { kind: 'japanese' }>;
function compileJapanese(c: JaC): KindCompiled {
  const min = jlptRank(c.minJlpt);
  const need = `JLPT ${c.minJlpt} or higher${c.acceptJftBasic ? ' or JFT-Basic (A2)' : ''}`;
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      o.need = need;
      if (!f.languagesKnown) {
        o.status = 'unknown';
        o.detail = `languages not given; needs ${need}`;
        o.have = 'not given';
        return;
      }
      let best = 0;
      let jft = false;
      let open = false;
      for (const l of f.languages) {
        if (l.language !== 'ja') continue;
        const t = l.test;
        if (t?.name === 'JLPT' && t.level) best = Math.max(best, jlptRank(t.level));
        else if (t?.name === 'JFT-Basic' && t.level === 'A2') jft = true;
        else open = true; // a CEFR level or another test: not on the JLPT scale
      }
      const have = `${best > 0 ? `JLPT N${6 - best}` : 'no JLPT pass'}${jft ? ', JFT-Basic A2' : ''}`;
      const met = best >= min || (c.acceptJftBasic && jft);
      o.status = met ? 'met' : open ? 'unknown' : 'unmet';
      o.detail = `${have}; needs ${need}${open && !met ? ' (a Japanese result is not on the JLPT/JFT scale)' : ''}`;
      o.have = have;
    },
  };
}

// ── occupation lists ──────────────────────────────────────────────────────────────────────────────
type OccC = Extract<Criterion, { kind: 'occupation' }>;
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
function compileOccupation(c: OccC): KindCompiled {
  const include = toMatcher(c.include);
  const exclude = toMatcher(c.exclude);
  const listName = `${c.list.name}${c.list.asOf ? ` (${c.list.asOf})` : ''}`;
  const need = `an occupation on ${listName}`;
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const fromOffer = c.subject === 'offerOrProfile' && f.offer?.isco08 !== undefined;
      const isco = subjectIsco(f, c.subject);
      const national = fromOffer ? f.offer?.national : f.profile.occupation.national;
      const whose = fromOffer ? 'offered job' : 'occupation';
      o.need = need;
      o.have = `ISCO-08 ${isco}`;
      const out = matches(exclude, isco, national);
      if (out !== undefined) {
        o.status = 'unmet';
        o.detail = `${whose} ${out} is not on ${listName}`;
        return;
      }
      const hit = matches(include, isco, national);
      if (hit !== undefined) {
        o.status = 'met';
        o.detail = `${whose} ${hit} is on ${listName}`;
      } else if (c.list.complete) {
        o.status = 'unmet';
        o.detail = `${whose} ISCO-08 ${isco} is not on ${listName}`;
      } else {
        o.status = 'unknown';
        o.detail = `${whose} ISCO-08 ${isco}: ${listName} is only partly captured in this pack; check the official list`;
      }
    },
  };
}

// ── qualifications ────────────────────────────────────────────────────────────────────────────────
type QualC = Extract<Criterion, { kind: 'qualification' }>;
function compileQualification(c: QualC, destination: string): KindCompiled {
  const recognition = c.recognition ? new Set<string>(c.recognition) : undefined;
  const fields = (c.fieldIncludes ?? []).map((s) => s.toLowerCase());
  const rows = [...(c.pointsByIsced ?? [])].sort((a, b) => b.minIsced - a.minIsced);
  const maxPoints = Math.max(0, ...rows.map((r) => r.points));
  const pts = (isced: number) => {
    for (const r of rows) if (isced >= r.minIsced) return r.points;
    return 0;
  };
  const need = `a qualification at ISCED ${c.minIsced}+${c.minDurationYears ? ` of ${c.minDurationYears}+ years` : ''}${fields.length ? ` in ${c.fieldIncludes!.join('/')}` : ''}${recognition ? ` recognised in ${destination} (${c.recognition!.join('/')})` : ''}`;
  const threshold =
    c.minIsced > 0 || recognition !== undefined || fields.length > 0 || c.minDurationYears !== undefined;
  return {
    hasPoints: rows.length > 0,
    threshold: rows.length === 0 ? true : threshold && c.decisive !== false,
    maxPoints,
    check: (f, o) => {
      o.need = need;
      const quals = f.profile.qualifications;
      if (quals === undefined) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = `qualifications not given; needs ${need}`;
        o.have = 'not given';
        return;
      }
      let met = false;
      let open = false;
      let bestKnown = -1;
      let bestOpen = -1;
      let have = quals.length === 0 ? 'no qualification listed' : '';
      for (const q of quals) {
        let t: number = q.iscedLevel >= c.minIsced ? TRUE : FALSE;
        if (t !== FALSE && c.minDurationYears !== undefined)
          t = q.durationYears === undefined ? UNKNOWN : q.durationYears >= c.minDurationYears ? t : FALSE;
        if (t !== FALSE && fields.length > 0) {
          const field = q.field?.toLowerCase();
          if (field === undefined) t = UNKNOWN;
          else {
            let hit = false;
            for (let i = 0; i < fields.length; i++) if (field.includes(fields[i]!)) hit = true;
            if (!hit) t = FALSE;
          }
        }
        let rec = '';
        if (t !== FALSE && recognition !== undefined) {
          if (q.recognition === undefined) t = UNKNOWN;
          else {
            let status = 'none';
            for (const r of q.recognition) if (r.destination === destination) status = r.status;
            rec = `, recognition in ${destination}: ${status}`;
            if (!recognition.has(status)) t = FALSE;
          }
        } else if (recognition !== undefined && q.recognition !== undefined) {
          let status = 'none';
          for (const r of q.recognition) if (r.destination === destination) status = r.status;
          rec = `, recognition in ${destination}: ${status}`;
        }
        const shown = `ISCED ${q.iscedLevel}${q.field ? ` ${q.field}` : ''}${q.durationYears !== undefined ? ` (${q.durationYears} yrs)` : ''}${rec}`;
        have = have ? `${have}; ${shown}` : shown;
        if (t === TRUE) {
          met = true;
          bestKnown = Math.max(bestKnown, pts(q.iscedLevel));
        } else if (t === UNKNOWN) {
          open = true;
          bestOpen = Math.max(bestOpen, pts(q.iscedLevel));
        }
      }
      o.points = Math.max(0, bestKnown);
      if (bestOpen > o.points) o.upside = bestOpen - o.points;
      const isThreshold = rows.length === 0 || (threshold && c.decisive !== false);
      if (isThreshold) o.status = met ? 'met' : open ? 'unknown' : 'unmet';
      else byPoints(o);
      o.detail = `${have}; ${rows.length > 0 ? `${o.points} points` : `needs ${need}`}${open && !met ? ' (missing details on a qualification)' : ''}`;
      o.have = have;
    },
  };
}

/** Day number of the start of an N-year window ending on asOf, cached on the facts. */
function windowStart(f: Facts, years: number): number {
  const cache = f.windowStarts;
  let v = cache[years];
  if (v === undefined) {
    v = dayNumber(minusYears(f.asOf, years));
    cache[years] = v;
  }
  return v;
}

// ── experience in a window ────────────────────────────────────────────────────────────────────────
type ExpC = Extract<Criterion, { kind: 'experience' }>;
export interface MonthsSpec {
  withinYears?: number | undefined;
  occupation: 'profile' | 'any' | string[];
  countriesIn?: string[] | undefined;
  countriesNotIn?: string[] | undefined;
  minHoursPerWeek?: number | undefined;
}
/** Months that certainly count, and months that might (undated or with missing details). */
export function countMonths(f: Facts, spec: MonthsSpec, out: { known: number; possible: number }): void {
  let known = 0;
  let maybe = 0;
  const startDay = spec.withinYears === undefined ? -Infinity : windowStart(f, spec.withinYears);
  const windowMonths = spec.withinYears === undefined ? Infinity : spec.withinYears * 12;
  const own = f.profile.occupation.isco08;
  for (const e of f.experience) {
    if (spec.occupation === 'profile') {
      if (e.isco08 !== own) continue;
    } else if (spec.occupation !== 'any' && !startsWithAny(e.isco08, spec.occupation)) continue;
    let sure = true;
    if (spec.countriesIn || spec.countriesNotIn) {
      if (e.country === undefined) sure = false;
      else if (spec.countriesIn && !spec.countriesIn.includes(e.country)) continue;
      else if (spec.countriesNotIn?.includes(e.country)) continue;
    }
    if (spec.minHoursPerWeek !== undefined) {
      if (e.hoursPerWeek === undefined) sure = false;
      else if (e.hoursPerWeek < spec.minHoursPerWeek) continue;
    }
    let months: number;
    if (Number.isNaN(e.fromDay)) {
      months = e.months;
      // Undated months cannot be placed inside a window.
      if (spec.withinYears !== undefined) sure = false;
    } else {
      const from = Math.max(e.fromDay, startDay);
      const to = Math.min(e.toDay, f.asOfDay);
      months = to >= from ? (to - from + 1) / DAYS_PER_MONTH : 0;
    }
    if (sure) known += months;
    else maybe += months;
  }
  out.known = Math.min(known, windowMonths);
  out.possible = Math.min(known + maybe, windowMonths);
}
function compileExperience(c: ExpC): KindCompiled {
  const rows = [...(c.pointsBands ?? [])].sort((a, b) => b.minMonths - a.minMonths);
  const pts = (m: number) => {
    for (const r of rows) if (m + 1e-9 >= r.minMonths) return r.points;
    return 0;
  };
  const maxPoints = Math.max(0, ...rows.map((r) => r.points));
  const min = c.minMonths;
  const scope = `${c.occupation === 'profile' ? 'in the occupation' : c.occupation === 'any' ? 'of work' : `in ISCO ${c.occupation.join('/')}`}${c.countriesIn ? ` in ${c.countriesIn.join('/')}` : ''}${c.countriesNotIn ? ` outside ${c.countriesNotIn.join('/')}` : ''}${c.minHoursPerWeek ? ` at ${c.minHoursPerWeek}+ h/week` : ''}${c.withinYears ? ` in the last ${c.withinYears} years` : ''}`;
  const need = min === undefined ? '' : `${min} months ${scope}`;
  const tmp = { known: 0, possible: 0 };
  return {
    hasPoints: rows.length > 0,
    threshold: min !== undefined,
    maxPoints,
    check: (f, o) => {
      o.need = need;
      if (!f.experienceKnown) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = `experience not given${need ? `; needs ${need}` : ''}`;
        o.have = 'not given';
        return;
      }
      countMonths(f, c, tmp);
      const known = tmp.known;
      const possible = tmp.possible;
      if (rows.length > 0) {
        o.points = pts(known);
        o.upside = pts(possible) - o.points;
      }
      const have = `${Math.floor(known + 1e-9)} months ${scope}${possible > known + 1e-9 ? ` (up to ${Math.floor(possible + 1e-9)} with entries that lack dates, country or hours)` : ''}`;
      if (min !== undefined) o.status = known + 1e-9 >= min ? 'met' : possible + 1e-9 >= min ? 'unknown' : 'unmet';
      else byPoints(o);
      o.detail = `${have}${need ? `; needs ${min} months` : ''}${rows.length > 0 ? `: ${o.points} points` : ''}`;
      o.have = have;
    },
  };
}

// ── job offers and salaries ───────────────────────────────────────────────────────────────────────
type JobC = Extract<Criterion, { kind: 'jobOffer' }>;
function compileJobOffer(c: JobC, destination: string): KindCompiled {
  const need = `a job offer in ${destination}${c.requireSponsor ? ' from a licensed/approved sponsor' : ''}${c.minHoursPerWeek ? ` of ${c.minHoursPerWeek}+ h/week` : ''}${c.contractTypes ? ` (${c.contractTypes.join('/')})` : ''}`;
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      o.need = need;
      const offer = f.offer;
      if (offer === undefined) {
        o.status = 'unknown';
        o.detail = `no job offer given; needs ${need}`;
        o.have = 'no offer given';
        return;
      }
      o.have = `offer${offer.destination ? ` in ${offer.destination}` : ''}`;
      if (offer.destination !== undefined && offer.destination !== destination) {
        o.status = 'unmet';
        o.detail = `the offer is for ${offer.destination}, not ${destination}`;
        return;
      }
      const missing: string[] = [];
      const failed: string[] = [];
      if (c.requireSponsor) {
        if (offer.sponsor === undefined) missing.push('whether the employer is a sponsor');
        else if (!offer.sponsor) failed.push('the employer is not a sponsor');
      }
      if (c.minHoursPerWeek !== undefined) {
        if (offer.hoursPerWeek === undefined) missing.push('hours per week');
        else if (offer.hoursPerWeek < c.minHoursPerWeek) failed.push(`${offer.hoursPerWeek} h/week`);
      }
      if (c.contractTypes !== undefined) {
        if (offer.contract === undefined) missing.push('contract type');
        else if (!c.contractTypes.includes(offer.contract.type)) failed.push(`a ${offer.contract.type} contract`);
      }
      if (c.minContractMonths !== undefined && offer.contract?.type !== 'permanent') {
        const months = offer.contract?.months;
        if (months === undefined) missing.push('contract length');
        else if (months < c.minContractMonths) failed.push(`a ${months}-month contract`);
      }
      if (failed.length > 0) {
        o.status = 'unmet';
        o.detail = `job offer: ${failed.join(', ')}; needs ${need}`;
      } else if (missing.length > 0) {
        o.status = 'unknown';
        o.detail = `job offer given but missing ${missing.join(', ')}`;
      } else {
        o.status = 'met';
        o.detail = `job offer in ${offer.destination ?? destination} meets: ${need}`;
      }
    },
  };
}

type SalC = Extract<Criterion, { kind: 'salary' }>;
const PER_YEAR = { year: 1, month: 12, week: 52, hour: 0 } as const;
interface CompiledThreshold extends DatedMoney {
  annual: number;
  label: string;
}
function compileSalary(c: SalC, destination: string): KindCompiled {
  const tiers = c.tiers.map((t) => ({
    id: t.id,
    label: t.label,
    when: t.when ? compileCondition(t.when, destination) : undefined,
    thresholds: t.thresholds.map(
      (d): CompiledThreshold => ({
        ...d,
        annual: d.period === 'hour' ? Number.NaN : d.amount * PER_YEAR[d.period],
        label: `${d.currency} ${formatAmount(d.amount)}/${d.period} (${t.label}, from ${d.effectiveFrom}${d.verification && d.verification !== 'official' ? `, ${d.verification === 'unverified' ? '⚠️ unverified' : d.verification}` : ''})`,
      }),
    ),
  }));
  const also = c.alsoRequires ? `; also needs ${c.alsoRequires} (not checked)` : '';
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const salary = f.offer?.salary;
      if (salary === undefined) {
        o.status = 'unknown';
        o.detail = `no offered salary given${also}`;
        o.need = 'a salary at the threshold';
        o.have = 'not given';
        return;
      }
      let annual = salary.amount * PER_YEAR[salary.period];
      if (salary.period === 'hour') {
        const h = f.offer?.hoursPerWeek;
        annual = h === undefined ? Number.NaN : salary.amount * h * 52;
      }
      let have = f.memo.salaryLabel;
      if (have === undefined) {
        have = `${salary.currency} ${formatAmount(salary.amount)}/${salary.period}`;
        f.memo.salaryLabel = have;
      }
      o.have = have;
      let met = false;
      let open = false;
      let bestNeed = '';
      let bestNeedAmount = Infinity;
      let metLabel = '';
      for (const tier of tiers) {
        const applies = tier.when ? tier.when(f) : TRUE;
        if (applies === FALSE) continue;
        const th = inForce(tier.thresholds, f.asOf);
        if (th === undefined) {
          open = true;
          bestNeed = bestNeed || `the ${tier.label} for ${f.asOf} (not captured)`;
          continue;
        }
        if (th.currency !== salary.currency || Number.isNaN(annual)) {
          open = true;
          bestNeed = bestNeed || th.label;
          continue;
        }
        const ok = annual + 1e-9 >= (Number.isNaN(th.annual) ? Infinity : th.annual);
        if (ok && applies === TRUE) {
          met = true;
          metLabel = th.label;
          break;
        }
        if (ok) open = true;
        if (th.annual < bestNeedAmount) {
          bestNeedAmount = th.annual;
          bestNeed = th.label;
        }
      }
      o.status = met ? 'met' : open ? 'unknown' : 'unmet';
      o.need = bestNeed || 'a salary at the threshold';
      o.detail = met
        ? `${have} meets ${metLabel}${also}`
        : open
          ? `${have}: cannot compare with ${bestNeed}${Number.isNaN(annual) ? ' (hours per week needed)' : ''} or a lower threshold may apply${also}`
          : `${have} is below ${bestNeed}${also}`;
    },
  };
}

// ── certifications, skills assessments ────────────────────────────────────────────────────────────
type CertC = Extract<Criterion, { kind: 'certification' }>;
function compileCertification(c: CertC): KindCompiled {
  const codes = new Set(c.anyOf);
  const need = c.anyOf.join(' or ');
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      o.need = need;
      const certs = f.profile.certifications;
      if (certs === undefined) {
        o.status = 'unknown';
        o.detail = `certifications not given; needs ${need}`;
        o.have = 'not given';
        return;
      }
      for (const cert of certs)
        if (codes.has(cert.code)) {
          o.status = 'met';
          o.detail = `holds ${cert.code}${cert.date ? ` (${cert.date})` : ''}`;
          o.have = cert.code;
          return;
        }
      o.status = 'unmet';
      o.have = certs.length ? certs.map((x) => x.code).join(', ') : 'none';
      o.detail = `needs ${need}; has ${o.have}`;
    },
  };
}

type SaC = Extract<Criterion, { kind: 'skillsAssessment' }>;
function compileSkillsAssessment(c: SaC, destination: string): KindCompiled {
  const authorities = c.authorities ? new Set(c.authorities.map((a) => a.toUpperCase())) : undefined;
  const need = `a positive skills assessment for ${destination}${c.authorities ? ` (${c.authorities.join('/')})` : ''}`;
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      o.need = need;
      const list = f.profile.skillsAssessments;
      if (list === undefined) {
        o.status = 'unknown';
        o.detail = `skills assessments not given; needs ${need}`;
        o.have = 'not given';
        return;
      }
      let best: 'positive' | 'pending' | 'negative' | 'none' = 'none';
      let who = '';
      for (const a of list) {
        if (a.destination !== destination) continue;
        if (authorities && !authorities.has(a.authority.toUpperCase())) continue;
        if (a.outcome === 'positive' || (a.outcome === 'pending' && best !== 'positive') || best === 'none') {
          best = a.outcome;
          who = a.authority;
        }
      }
      o.have = best === 'none' ? 'none' : `${best} (${who})`;
      o.status = best === 'positive' ? 'met' : best === 'pending' ? 'unknown' : 'unmet';
      o.detail =
        best === 'none' ? `no skills assessment for ${destination}; needs ${need}` : `skills assessment ${o.have}`;
    },
  };
}

// ── Australian partner points ─────────────────────────────────────────────────────────────────────
type PartnerC = Extract<Criterion, { kind: 'auPartner' }>;
function compileAuPartner(c: PartnerC): KindCompiled {
  const maxPoints = Math.max(c.single, c.skilled, c.competentEnglish);
  const single = `single: ${plural(c.single)}`;
  const partnerAu = `partner is an Australian citizen or permanent resident: ${plural(c.single)}`;
  const skilled = `partner under 45 with competent English and a suitable skills assessment: ${plural(c.skilled)}`;
  const competentOnly = `partner has competent English: ${plural(c.competentEnglish)}`;
  return {
    hasPoints: true,
    threshold: false,
    maxPoints,
    check: (f, o) => {
      const fam = f.profile.family;
      if (fam?.maritalStatus === undefined) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = 'family status not given (single or partnered with an Australian citizen/PR: 10 points)';
        return;
      }
      if (fam.maritalStatus === 'single') {
        o.points = c.single;
        o.detail = single;
        o.status = 'met';
        return;
      }
      const p = fam.partner;
      if (p === undefined) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = 'partnered; partner details not given';
        return;
      }
      if (p.citizenOrResidentOf?.includes('AU')) {
        o.points = c.single;
        o.detail = partnerAu;
        o.status = 'met';
        return;
      }
      let english = -1; // unknown
      if (p.languages !== undefined) {
        english = 0;
        for (const l of p.languages)
          if (l.language === 'en' && l.test) english = Math.max(english, testToAuLevel(l.test, f.asOf));
      }
      const young = p.dateOfBirth === undefined ? undefined : ageOn(p.dateOfBirth, f.asOf) < 45;
      const competent = english >= 2;
      if (competent && young === true && p.skillsAssessment === true) {
        o.points = c.skilled;
        o.detail = skilled;
        o.status = 'met';
        return;
      }
      if (competent) {
        o.points = c.competentEnglish;
        o.detail = competentOnly;
      } else o.points = 0;
      const canRise =
        english < 0 || ((competent || english < 0) && (young === undefined || p.skillsAssessment === undefined));
      if (canRise) {
        o.upside = (english < 0 ? maxPoints : c.skilled) - o.points;
        o.detail = `partner: ${o.points} points known; partner's English test, age or skills assessment not given`;
      } else if (!competent) o.detail = 'partner without competent English: 0 points';
      byPoints(o);
    },
  };
}

// ── Canadian education and transferability ────────────────────────────────────────────────────────
const EDU_CLASSES = ['less', 'secondary', 'oneYear', 'twoYear', 'bachelor', 'twoOrMore', 'masters', 'phd'] as const;
type EduClass = (typeof EDU_CLASSES)[number];
const EDU_NAMES: Record<EduClass, string> = {
  less: 'less than secondary',
  secondary: 'secondary',
  oneYear: 'one-year post-secondary',
  twoYear: 'two-year post-secondary',
  bachelor: "bachelor's or 3+ year programme",
  twoOrMore: 'two or more credentials (one 3+ years)',
  masters: "master's or professional degree",
  phd: 'doctorate',
};
/** Credential class bounds from ISCED levels and durations: [lower, upper] indexes into EDU_CLASSES. */
export function educationClass(f: Facts): [number, number] | undefined {
  const quals = f.profile.qualifications;
  if (quals === undefined) return undefined;
  let lo = 0;
  let hi = 0;
  let postSec = 0;
  let postSecMaybe = 0;
  let threeYear = false;
  let threeYearMaybe = false;
  for (const q of quals) {
    const isced = q.iscedLevel;
    const d = q.durationYears;
    let l: number;
    let h: number;
    if (isced >= 8) l = h = 7;
    else if (isced === 7) l = h = 6;
    else if (isced === 6) l = h = 4;
    else if (isced >= 4) {
      if (d === undefined) {
        l = 2;
        h = 4;
      } else l = h = d >= 3 ? 4 : d >= 2 ? 3 : d >= 1 ? 2 : 1;
    } else if (isced === 3) l = h = 1;
    else l = h = 0;
    if (isced >= 4) {
      if (d === undefined && isced < 6) postSecMaybe++;
      else postSec++;
      if (isced >= 6 || (d !== undefined && d >= 3)) threeYear = true;
      else if (d === undefined) threeYearMaybe = true;
    }
    lo = Math.max(lo, l);
    hi = Math.max(hi, h);
  }
  if (postSec >= 2 && threeYear) lo = Math.max(lo, 5);
  if (postSec + postSecMaybe >= 2 && (threeYear || threeYearMaybe)) hi = Math.max(hi, 5);
  return [lo, hi];
}
type EduC = Extract<Criterion, { kind: 'education' }>;
function compileEducation(c: EduC): KindCompiled {
  const pts = EDU_CLASSES.map((k) => c.scale[k] ?? 0);
  const maxPoints = Math.max(...pts);
  const min = c.minClass ? EDU_CLASSES.indexOf(c.minClass) : -1;
  const need = c.minClass ? `${EDU_NAMES[c.minClass]} or higher (with an Educational Credential Assessment)` : '';
  return {
    hasPoints: true,
    threshold: min >= 0,
    maxPoints,
    check: (f, o) => {
      o.need = need;
      const cls = educationClass(f);
      if (cls === undefined) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = `qualifications not given${need ? `; needs ${need}` : ''}`;
        o.have = 'not given';
        return;
      }
      const [lo, hi] = cls;
      o.points = pts[lo]!;
      o.upside = Math.max(0, pts[hi]! - o.points);
      const have =
        lo === hi ? EDU_NAMES[EDU_CLASSES[lo]!] : `${EDU_NAMES[EDU_CLASSES[lo]!]} to ${EDU_NAMES[EDU_CLASSES[hi]!]}`;
      o.have = have;
      if (min >= 0) o.status = lo >= min ? 'met' : hi >= min ? 'unknown' : 'unmet';
      else byPoints(o);
      o.detail = `${have}${lo !== hi ? ' (durations missing)' : ''}: ${o.points} points${need ? `; needs ${need}` : ''}`;
    },
  };
}

function compileCrsTransferability(): KindCompiled {
  const tmpCa = { known: 0, possible: 0 };
  const tmpForeign = { known: 0, possible: 0 };
  const caSpec: MonthsSpec = { withinYears: 10, occupation: ['1', '2', '3'], countriesIn: ['CA'] };
  const foreignSpec: MonthsSpec = { withinYears: 10, occupation: ['1', '2', '3'], countriesNotIn: ['CA'] };
  const score = (clb: number, eduTier: number, cdnYears: number, foreignYears: number): number => {
    const langT = clb >= 9 ? 2 : clb >= 7 ? 1 : 0;
    const cdnT = cdnYears >= 2 ? 2 : cdnYears >= 1 ? 1 : 0;
    const forT = foreignYears >= 3 ? 2 : foreignYears >= 1 ? 1 : 0;
    // Each table row: [lower tier, upper tier] for language tier 1 (CLB 7+) and 2 (CLB 9+).
    const pick = (a: number, b: number) => (a === 0 || b === 0 ? 0 : a === 1 ? (b === 1 ? 13 : 25) : b === 1 ? 25 : 50);
    const edu = Math.min(50, pick(langT, eduTier) + pick(cdnT, eduTier));
    const foreign = Math.min(50, pick(langT, forT) + pick(cdnT, forT));
    return Math.min(100, edu + foreign);
  };
  return {
    hasPoints: true,
    threshold: false,
    maxPoints: 100,
    check: (f, o) => {
      const cls = educationClass(f);
      const clb = f.clb;
      const clbLo = clb === undefined ? 0 : Math.min(clb[0], clb[1], clb[2], clb[3]);
      const clbHi = f.clbOpen ? 12 : clbLo;
      const tier = (k: number) => (k >= 5 ? 2 : k >= 2 ? 1 : 0);
      const eduLo = cls === undefined ? 0 : tier(cls[0]);
      const eduHi = cls === undefined ? 2 : tier(cls[1]);
      let cdnLo = 0;
      let cdnHi = 5;
      let forLo = 0;
      let forHi = 10;
      if (f.experienceKnown) {
        countMonths(f, caSpec, tmpCa);
        countMonths(f, foreignSpec, tmpForeign);
        cdnLo = tmpCa.known / 12;
        cdnHi = tmpCa.possible / 12;
        forLo = tmpForeign.known / 12;
        forHi = tmpForeign.possible / 12;
      }
      o.points = score(clbLo, eduLo, cdnLo, forLo);
      o.upside = Math.max(0, score(clbHi, eduHi, cdnHi, forHi) - o.points);
      byPoints(o);
      o.detail = `skill transferability (education, foreign and Canadian work with CLB): ${o.points} points${o.upside > 0 ? `, up to ${o.points + o.upside} with the missing data` : ''}`;
    },
  };
}

export type { CompiledCondition };
