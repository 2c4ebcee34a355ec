import { testToAuLevel } from '../conversions.ts';
import { ageOn } from '../dates.ts';
import { byPoints, type KindCompiled, type KindContext, plural } from './common.ts';

// ── Australian partner points ─────────────────────────────────────────────────────────────────────
export function compileAuPartner({ c, suffix }: KindContext<'auPartner'>): KindCompiled {
  const maxPoints = Math.max(c.single, c.skilled, c.competentEnglish);
  const single = `single: ${plural(c.single)}${suffix}`;
  const partnerAu = `partner is an Australian citizen or permanent resident: ${plural(c.single)}${suffix}`;
  const skilled = `partner under 45 with competent English and a suitable skills assessment: ${plural(c.skilled)}${suffix}`;
  const competentOnly = `partner has competent English: ${plural(c.competentEnglish)}${suffix}`;
  const noFamily = `family status not given (single or partnered with an Australian citizen/PR: 10 points)${suffix}`;
  const noPartner = `partnered; partner details not given${suffix}`;
  const noEnglish = `partner without competent English: 0 points${suffix}`;
  const canRiseTail = ` points known; partner's English test, age or skills assessment not given${suffix}`;
  return {
    hasPoints: true,
    threshold: false,
    maxPoints,
    check: (f, o) => {
      const fam = f.profile.family;
      if (fam?.maritalStatus === undefined) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = noFamily;
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
        o.detail = noPartner;
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
        o.detail = `partner: ${o.points}${canRiseTail}`;
      } else if (!competent) o.detail = noEnglish;
      byPoints(o);
    },
  };
}

// ── fixed points ──────────────────────────────────────────────────────────────────────────────────
export function compileFixedPoints({ c, suffix }: KindContext<'fixedPoints'>): KindCompiled {
  const detail = `${c.label}: ${c.points} points${suffix}`;
  const points = c.points;
  return {
    hasPoints: true,
    threshold: false,
    maxPoints: points,
    check: (_f, o) => {
      o.status = 'met';
      o.points = points;
      o.detail = detail;
    },
  };
}
