import type { Facts } from '../facts.ts';
import { byPoints, type KindCompiled, type KindContext, memoised } from './common.ts';
import { countMonths, monthsSpec } from './experience.ts';

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

/** Set by `educationClass`: the credential class bounds as indexes into EDU_CLASSES. */
let eduLo = 0;
let eduHi = 0;
/** Credential class bounds from ISCED levels and durations into `eduLo`/`eduHi`; false when not given. */
function educationClass(f: Facts): boolean {
  const quals = f.profile.qualifications;
  if (quals === undefined) return false;
  let lo = 0;
  let hi = 0;
  let postSec = 0;
  let postSecMaybe = 0;
  let threeYear = false;
  let threeYearMaybe = false;
  for (let i = 0; i < quals.length; i++) {
    const q = quals[i]!;
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
  eduLo = lo;
  eduHi = hi;
  return true;
}

export function compileEducation({ c, suffix }: KindContext<'education'>): KindCompiled {
  const pts = EDU_CLASSES.map((k) => c.scale[k] ?? 0);
  const maxPoints = Math.max(...pts);
  const min = c.minClass ? EDU_CLASSES.indexOf(c.minClass) : -1;
  const need = c.minClass ? `${EDU_NAMES[c.minClass]} or higher (with an Educational Credential Assessment)` : '';
  const notGiven = `qualifications not given${need ? `; needs ${need}` : ''}${suffix}`;
  return {
    hasPoints: true,
    threshold: min >= 0,
    maxPoints,
    // Everything follows from the class bounds.
    check: memoised(
      (f) => (educationClass(f) ? 1 + eduLo * 8 + eduHi : 0),
      (f, o) => {
        o.need = need;
        if (!educationClass(f)) {
          o.status = 'unknown';
          o.upside = maxPoints;
          o.detail = notGiven;
          o.have = 'not given';
          return;
        }
        const lo = eduLo;
        const hi = eduHi;
        o.points = pts[lo]!;
        o.upside = Math.max(0, pts[hi]! - o.points);
        const have =
          lo === hi ? EDU_NAMES[EDU_CLASSES[lo]!] : `${EDU_NAMES[EDU_CLASSES[lo]!]} to ${EDU_NAMES[EDU_CLASSES[hi]!]}`;
        o.have = have;
        if (min >= 0) o.status = lo >= min ? 'met' : hi >= min ? 'unknown' : 'unmet';
        else byPoints(o);
        o.detail = `${have}${lo !== hi ? ' (durations missing)' : ''}: ${o.points} points${need ? `; needs ${need}` : ''}${suffix}`;
      },
      65,
    ),
  };
}

const tier = (k: number) => (k >= 5 ? 2 : k >= 2 ? 1 : 0);
// Each table row: [lower tier, upper tier] for language tier 1 (CLB 7+) and 2 (CLB 9+).
const pickPoints = (a: number, b: number) =>
  a === 0 || b === 0 ? 0 : a === 1 ? (b === 1 ? 13 : 25) : b === 1 ? 25 : 50;
function transferability(clb: number, eduTier: number, cdnYears: number, foreignYears: number): number {
  const langT = clb >= 9 ? 2 : clb >= 7 ? 1 : 0;
  const cdnT = cdnYears >= 2 ? 2 : cdnYears >= 1 ? 1 : 0;
  const forT = foreignYears >= 3 ? 2 : foreignYears >= 1 ? 1 : 0;
  const edu = Math.min(50, pickPoints(langT, eduTier) + pickPoints(cdnT, eduTier));
  const foreign = Math.min(50, pickPoints(langT, forT) + pickPoints(cdnT, forT));
  return Math.min(100, edu + foreign);
}

export function compileCrsTransferability({ suffix }: KindContext<'crsTransferability'>): KindCompiled {
  const tmpCa = { known: 0, possible: 0 };
  const tmpForeign = { known: 0, possible: 0 };
  const caSpec = monthsSpec({ withinYears: 10, occupation: ['1', '2', '3'], countriesIn: ['CA'] });
  const foreignSpec = monthsSpec({ withinYears: 10, occupation: ['1', '2', '3'], countriesNotIn: ['CA'] });
  /** Sentences by points and upside (0–100 each). */
  const sentences = new Array<string | undefined>(101 * 101).fill(undefined);
  return {
    hasPoints: true,
    threshold: false,
    maxPoints: 100,
    check: (f, o) => {
      const known = educationClass(f);
      const clb = f.clb;
      const clbLo = clb === undefined ? 0 : Math.min(clb[0], clb[1], clb[2], clb[3]);
      const clbHi = f.clbOpen ? 12 : clbLo;
      const eduTierLo = known ? tier(eduLo) : 0;
      const eduTierHi = known ? tier(eduHi) : 2;
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
      o.points = transferability(clbLo, eduTierLo, cdnLo, forLo);
      o.upside = Math.max(0, transferability(clbHi, eduTierHi, cdnHi, forHi) - o.points);
      byPoints(o);
      const key = o.points * 101 + o.upside;
      let detail = sentences[key];
      if (detail === undefined) {
        detail = `skill transferability (education, foreign and Canadian work with CLB): ${o.points} points${o.upside > 0 ? `, up to ${o.points + o.upside} with the missing data` : ''}${suffix}`;
        sentences[key] = detail;
      }
      o.detail = detail;
    },
  };
}
