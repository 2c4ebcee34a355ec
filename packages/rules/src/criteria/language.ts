import type { LanguageTest } from '@corridor/domain';
import { bestCefr, cefrOpen, FALSE, TRUE, UNKNOWN } from '../conditions.ts';
import { AU_LEVEL_RANK, cefrName, cefrRankOf, compileMinimums, jlptRank } from '../conversions.ts';
import { inForcePicker } from '../dates.ts';
import type { Facts } from '../facts.ts';
import type { SkillMinimums } from '../schema.ts';
import { byPoints, type KindCompiled, type KindContext, languageName, memoised, plural } from './common.ts';

// ── CEFR levels ───────────────────────────────────────────────────────────────────────────────────
export function compileLanguage({ c, suffix }: KindContext<'language'>): KindCompiled {
  const options = c.anyOf.map((a) => ({
    language: a.language,
    min: cefrRankOf(a.minCefr),
    label: `${a.minCefr} ${languageName(a.language)}`,
    name: languageName(a.language),
  }));
  const need = options.map((o) => o.label).join(' or ');
  const tests = c.tests ? Object.entries(c.tests).map(([name, mins]) => ({ name, meets: compileMinimums(mins) })) : [];
  const exempt = new Set(c.exemptNationalities ?? []);
  const rows = [...(c.pointsByCefr ?? [])]
    .map((r) => ({ language: r.language, min: cefrRankOf(r.minCefr), points: r.points }))
    .sort((a, b) => b.points - a.points);
  const maxPoints = Math.max(0, ...rows.map((r) => r.points));
  const pointsLanguage = rows[0]?.language ?? '';
  const pointsLanguageName = languageName(pointsLanguage);
  const threshold = options.length > 0;
  const notGiven = `languages not given${threshold ? `; needs ${need}` : ''}${suffix}`;
  const testsMeet = (f: Facts, language: string): number => {
    // TRUE when an accepted test meets its minimums, UNKNOWN when scores are missing.
    let result: number = FALSE;
    for (const l of f.languages) {
      if (l.language !== language || l.test === undefined) continue;
      for (const { name, meets } of tests) {
        if (l.test.name !== name) continue;
        const ok = meets(l.test);
        if (ok === true) return TRUE;
        if (ok === undefined) result = UNKNOWN;
      }
    }
    return result;
  };
  /** Every fact the check reads: per option its best rank, open flag and test outcome; the points rank. */
  const keyOf = (f: Facts): number => {
    if (threshold && exempt.has(f.profile.nationality)) return -1;
    let key = f.languagesKnown ? 1 : 0;
    for (let i = 0; i < options.length; i++) {
      const opt = options[i]!;
      const rank = bestCefr(f, opt.language);
      if (rank > 7) return -1;
      const open = cefrOpen;
      const t = rank < opt.min && tests.length > 0 ? testsMeet(f, opt.language) : 0;
      key = key * 64 + rank * 8 + (open ? 4 : 0) + t;
    }
    if (rows.length > 0) {
      const rank = bestCefr(f, pointsLanguage);
      if (rank > 7) return -1;
      key = key * 16 + rank * 2 + (cefrOpen ? 1 : 0);
    }
    return key;
  };
  return {
    hasPoints: rows.length > 0,
    threshold,
    maxPoints,
    check: memoised(
      options.length <= 6 ? keyOf : () => -1,
      (f, o) => {
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
          o.status = 'unknown';
          o.upside = maxPoints;
          o.points = 0;
          o.detail = notGiven;
        } else if (threshold) {
          o.status = met ? 'met' : open ? 'unknown' : 'unmet';
          o.detail = `${have}; needs ${need}${open && !met ? ' (a result could not be converted to CEFR)' : ''}${pointsNote ? `; ${pointsNote}` : ''}${suffix}`;
        } else {
          byPoints(o);
          o.detail = pointsNote + suffix;
        }
        o.need = need;
        o.have = have;
      },
      4096,
    ),
  };
}

// ── Australian English ────────────────────────────────────────────────────────────────────────────
const AU_NAMES = ['no recognised level', 'vocational', 'competent', 'proficient', 'superior'] as const;
export function compileAuEnglish({ c, suffix }: KindContext<'auEnglish'>): KindCompiled {
  const min = AU_LEVEL_RANK[c.min];
  const pts = [0, 0, 0, 0, 0];
  for (const [level, p] of Object.entries(c.pointsByLevel ?? {}))
    pts[AU_LEVEL_RANK[level as keyof typeof AU_LEVEL_RANK]] = p;
  const maxPoints = Math.max(...pts);
  const need = `${c.min} English`;
  const notGiven = `languages not given; needs ${need} (a recognised test)${suffix}`;
  const withPoints = c.pointsByLevel !== undefined;
  return {
    hasPoints: c.pointsByLevel !== undefined,
    threshold: min > 0,
    maxPoints,
    check: memoised(
      (f) => f.auEnglish * 4 + (f.auEnglishOpen ? 2 : 0) + (f.languagesKnown ? 1 : 0),
      (f, o) => {
        const level = f.auEnglish;
        const ok = level >= min;
        o.points = ok ? pts[level]! : 0;
        if (f.auEnglishOpen) o.upside = maxPoints - o.points;
        o.status = ok ? 'met' : f.auEnglishOpen ? 'unknown' : 'unmet';
        const shown = AU_NAMES[level]!;
        o.detail = !f.languagesKnown
          ? notGiven
          : `${shown} English by test${f.auEnglishOpen ? ' (some English evidence is not a convertible test result)' : ''}; needs ${need}${withPoints ? `: ${o.points} points` : ''}${suffix}`;
        o.need = need;
        o.have = `${shown} English`;
      },
      20,
    ),
  };
}

// ── Canadian Language Benchmarks ──────────────────────────────────────────────────────────────────
export function compileClb({ c, suffix }: KindContext<'clb'>): KindCompiled {
  const rows = [...(c.pointsPerAbility ?? [])].sort((a, b) => b.clbMin - a.clbMin);
  const perAbility = (clb: number) => {
    for (const r of rows) if (clb >= r.clbMin) return r.points;
    return 0;
  };
  const maxPoints = rows.length > 0 ? 4 * Math.max(...rows.map((r) => r.points)) : 0;
  const minEach = c.minEach;
  const need = minEach === undefined ? '' : `CLB ${minEach} in each ability`;
  const small = (n: number) => n >= 0 && n <= 12 && Number.isInteger(n);
  return {
    hasPoints: rows.length > 0,
    threshold: minEach !== undefined,
    maxPoints,
    // The four CLB levels (0–12 each) and whether some English evidence could not be converted.
    check: memoised(
      (f) => {
        const clb = f.clb;
        const open = f.clbOpen ? 1 : 0;
        if (clb === undefined) return open;
        if (!small(clb[0]) || !small(clb[1]) || !small(clb[2]) || !small(clb[3])) return -1;
        return 2 + (((clb[0] * 13 + clb[1]) * 13 + clb[2]) * 13 + clb[3]) * 2 + open;
      },
      (f, o) => {
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
        o.detail = `${have}${f.clbOpen ? ' (some English evidence could not be converted to CLB)' : ''}${need ? `; needs ${need}` : ''}${rows.length > 0 ? `: ${o.points} points` : ''}${suffix}`;
        o.need = need;
        o.have = have;
      },
    ),
  };
}

// ── per-skill test scores (AU 482) ────────────────────────────────────────────────────────────────
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
export function compileTestScores({ c, suffix }: KindContext<'testScores'>): KindCompiled {
  const reqs = c.requirements.map((r) => {
    const need = `${Object.entries(r.tests)
      .map(([n, m]) => describeMins(n, m))
      .join(', or ')}${r.instrument ? ` (${r.instrument})` : ''}`;
    const caveat = r.verification && r.verification !== 'official' ? ` [${r.verification}]` : '';
    return {
      effectiveFrom: r.effectiveFrom,
      effectiveTo: r.effectiveTo,
      entries: Object.entries(r.tests).map(([name, mins]) => ({ name, meets: compileMinimums(mins) })),
      need,
      /** "; needs …" with the requirement's caveat and the criterion's suffix: the end of every sentence. */
      tail: `; needs ${need}${caveat}${suffix}`,
      notGiven: `languages not given; needs ${need}${caveat}${suffix}`,
    };
  });
  const exempt = new Set(c.exemptNationalities ?? []);
  const language = c.language;
  const requirementOn = inForcePicker(reqs);
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const req = requirementOn(f.asOf);
      o.need = req?.need ?? 'a test requirement in force';
      if (exempt.has(f.profile.nationality)) {
        o.status = 'met';
        o.have = `exempt as a national of ${f.profile.nationality}`;
        o.detail = o.have + suffix;
        return;
      }
      if (req === undefined) {
        o.status = 'unknown';
        o.detail = `no test requirement captured for ${f.asOf}${suffix}`;
        o.have = 'unknown';
        return;
      }
      if (!f.languagesKnown) {
        o.status = 'unknown';
        o.detail = req.notGiven;
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
        for (const { name, meets } of req.entries) {
          if (t.name !== name) continue;
          accepted = true;
          const ok = meets(t);
          if (ok === true) met = true;
          else if (ok === undefined) open = true;
        }
        have = `${t.name}${t.overall !== undefined ? ` ${t.overall}` : ''}${accepted ? '' : ' (not an accepted test)'}`;
        if (met) break;
      }
      o.status = met ? 'met' : open ? 'unknown' : 'unmet';
      o.detail = have + req.tail;
      o.have = have;
    },
  };
}

// ── Japanese ──────────────────────────────────────────────────────────────────────────────────────
export function compileJapanese({ c, suffix }: KindContext<'japanese'>): KindCompiled {
  const min = jlptRank(c.minJlpt);
  const need = `JLPT ${c.minJlpt} or higher${c.acceptJftBasic ? ' or JFT-Basic (A2)' : ''}`;
  const acceptJft = c.acceptJftBasic;
  const notGiven = `languages not given; needs ${need}${suffix}`;
  /** The best JLPT rank, a JFT-Basic pass, and Japanese evidence off the JLPT/JFT scale. */
  let best = 0;
  let jft = false;
  let open = false;
  const scan = (f: Facts) => {
    best = 0;
    jft = false;
    open = false;
    for (const l of f.languages) {
      if (l.language !== 'ja') continue;
      const t = l.test;
      if (t?.name === 'JLPT' && t.level) best = Math.max(best, jlptRank(t.level));
      else if (t?.name === 'JFT-Basic' && t.level === 'A2') jft = true;
      else open = true; // a CEFR level or another test: not on the JLPT scale
    }
  };
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: memoised(
      (f) => {
        if (!f.languagesKnown) return 0;
        scan(f);
        return 1 + best * 4 + (jft ? 2 : 0) + (open ? 1 : 0);
      },
      (f, o) => {
        o.need = need;
        if (!f.languagesKnown) {
          o.status = 'unknown';
          o.detail = notGiven;
          o.have = 'not given';
          return;
        }
        scan(f);
        const have = `${best > 0 ? `JLPT N${6 - best}` : 'no JLPT pass'}${jft ? ', JFT-Basic A2' : ''}`;
        const met = best >= min || (acceptJft && jft);
        o.status = met ? 'met' : open ? 'unknown' : 'unmet';
        o.detail = `${have}; needs ${need}${open && !met ? ' (a Japanese result is not on the JLPT/JFT scale)' : ''}${suffix}`;
        o.have = have;
      },
      25,
    ),
  };
}
