import { compileCondition, FALSE, TRUE } from '../conditions.ts';
import { inForcePicker } from '../dates.ts';
import type { Facts } from '../facts.ts';
import type { DatedMoney } from '../schema.ts';
import { formatAmount, type KindCompiled, type KindContext, type Out } from './common.ts';

// ── job offers ────────────────────────────────────────────────────────────────────────────────────
export function compileJobOffer({ c, pack, suffix }: KindContext<'jobOffer'>): KindCompiled {
  const destination = pack.destination;
  const need = `a job offer in ${destination}${c.requireSponsor ? ' from a licensed/approved sponsor' : ''}${c.minHoursPerWeek ? ` of ${c.minHoursPerWeek}+ h/week` : ''}${c.contractTypes ? ` (${c.contractTypes.join('/')})` : ''}`;
  const noOffer = `no job offer given; needs ${need}${suffix}`;
  // A met offer is either for this destination or names none: the sentence is always this one.
  const meets = `job offer in ${destination} meets: ${need}${suffix}`;
  const failedTail = `; needs ${need}${suffix}`;
  const haveHere = `offer in ${destination}`;
  const contractTypes = c.contractTypes;
  const requireSponsor = c.requireSponsor;
  const minHours = c.minHoursPerWeek;
  const minMonths = c.minContractMonths;
  const scratch: Out = { status: 'unknown', detail: '', need: '', have: '', points: 0, upside: 0 };
  const check = (f: Facts, o: Out): undefined => {
    o.need = need;
    const offer = f.offer;
    if (offer === undefined) {
      o.status = 'unknown';
      o.detail = noOffer;
      o.have = 'no offer given';
      return;
    }
    const to = offer.destination;
    o.have = to === destination ? haveHere : to ? `offer in ${to}` : 'offer';
    if (to !== undefined && to !== destination) {
      o.status = 'unmet';
      o.detail = `the offer is for ${to}, not ${destination}${suffix}`;
      return;
    }
    // Joined as `a, b, c` in the order of the checks, without arrays.
    let missing = '';
    let failed = '';
    if (requireSponsor) {
      if (offer.sponsor === undefined) missing = 'whether the employer is a sponsor';
      else if (!offer.sponsor) failed = 'the employer is not a sponsor';
    }
    if (minHours !== undefined) {
      if (offer.hoursPerWeek === undefined) missing = missing ? `${missing}, hours per week` : 'hours per week';
      else if (offer.hoursPerWeek < minHours)
        failed = failed ? `${failed}, ${offer.hoursPerWeek} h/week` : `${offer.hoursPerWeek} h/week`;
    }
    if (contractTypes !== undefined) {
      if (offer.contract === undefined) missing = missing ? `${missing}, contract type` : 'contract type';
      else if (!contractTypes.includes(offer.contract.type))
        failed = failed ? `${failed}, a ${offer.contract.type} contract` : `a ${offer.contract.type} contract`;
    }
    if (minMonths !== undefined && offer.contract?.type !== 'permanent') {
      const months = offer.contract?.months;
      if (months === undefined) missing = missing ? `${missing}, contract length` : 'contract length';
      else if (months < minMonths)
        failed = failed ? `${failed}, a ${months}-month contract` : `a ${months}-month contract`;
    }
    if (failed) {
      o.status = 'unmet';
      o.detail = `job offer: ${failed}${failedTail}`;
    } else if (missing) {
      o.status = 'unknown';
      o.detail = `job offer given but missing ${missing}${suffix}`;
    } else {
      o.status = 'met';
      o.detail = meets;
    }
  };
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check,
    // The check reads nothing but the offer: its status is the class.
    offerClass: (f) => {
      check(f, scratch);
      return scratch.status;
    },
  };
}

// ── salaries ──────────────────────────────────────────────────────────────────────────────────────
const PER_YEAR = { year: 1, month: 12, week: 52, hour: 0 } as const;
interface CompiledThreshold extends DatedMoney {
  annual: number;
  label: string;
  /** " meets <label><also><suffix>": the end of the met sentence. */
  meets: string;
}
export function compileSalary({ c, pack, suffix }: KindContext<'salary'>): KindCompiled {
  const destination = pack.destination;
  const also = c.alsoRequires ? `; also needs ${c.alsoRequires} (not checked)` : '';
  const tiers = c.tiers.map((t) => ({
    id: t.id,
    label: t.label,
    when: t.when ? compileCondition(t.when, destination) : undefined,
    thresholdOn: inForcePicker(
      t.thresholds.map((d): CompiledThreshold => {
        const label = `${d.currency} ${formatAmount(d.amount)}/${d.period} (${t.label}, from ${d.effectiveFrom}${d.verification && d.verification !== 'official' ? `, ${d.verification === 'unverified' ? '⚠️ unverified' : d.verification}` : ''})`;
        return {
          ...d,
          annual: d.period === 'hour' ? Number.NaN : d.amount * PER_YEAR[d.period],
          label,
          meets: ` meets ${label}${also}${suffix}`,
        };
      }),
    ),
  }));
  const noSalary = `no offered salary given${also}${suffix}`;
  const endOpen = ` or a lower threshold may apply${also}${suffix}`;
  const endOpenHours = ` (hours per week needed) or a lower threshold may apply${also}${suffix}`;
  const endBelow = also + suffix;
  return {
    hasPoints: false,
    threshold: true,
    maxPoints: 0,
    check: (f, o) => {
      const salary = f.offer?.salary;
      if (salary === undefined) {
        o.status = 'unknown';
        o.detail = noSalary;
        o.need = 'a salary at the threshold';
        o.have = 'not given';
        return;
      }
      const annual = annualOf(salary, f.offer?.hoursPerWeek);
      let have = f.memo.salaryLabel;
      if (have === undefined) {
        have = `${salary.currency} ${formatAmount(salary.amount)}/${salary.period}`;
        f.memo.salaryLabel = have;
      }
      o.have = have;
      let met: CompiledThreshold | undefined;
      let open = false;
      let bestNeed = '';
      let bestNeedAmount = Infinity;
      for (let i = 0; i < tiers.length; i++) {
        const tier = tiers[i]!;
        const applies = tier.when ? tier.when(f) : TRUE;
        if (applies === FALSE) continue;
        const th = tier.thresholdOn(f.asOf);
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
        const ok = reaches(annual, th);
        if (ok && applies === TRUE) {
          met = th;
          break;
        }
        if (ok) open = true;
        if (th.annual < bestNeedAmount) {
          bestNeedAmount = th.annual;
          bestNeed = th.label;
        }
      }
      o.status = met !== undefined ? 'met' : open ? 'unknown' : 'unmet';
      o.need = bestNeed || 'a salary at the threshold';
      o.detail =
        met !== undefined
          ? have + met.meets
          : open
            ? `${have}: cannot compare with ${bestNeed}${Number.isNaN(annual) ? endOpenHours : endOpen}`
            : `${have} is below ${bestNeed}${endBelow}`;
    },
    // Per tier, as the check reads it: no threshold captured, not comparable, reached or not. Whether a tier applies
    // reads the person, so every tier is classed.
    offerClass: (f) => {
      const salary = f.offer?.salary;
      if (salary === undefined) return '-';
      const annual = annualOf(salary, f.offer?.hoursPerWeek);
      let s = '';
      for (let i = 0; i < tiers.length; i++) {
        const th = tiers[i]!.thresholdOn(f.asOf);
        s +=
          th === undefined
            ? 'u'
            : th.currency !== salary.currency || Number.isNaN(annual)
              ? 'o'
              : reaches(annual, th)
                ? 'y'
                : 'n';
      }
      return s;
    },
  };
}

/** A salary as a yearly amount; NaN for an hourly rate without hours per week. */
function annualOf(salary: { amount: number; period: keyof typeof PER_YEAR }, hoursPerWeek: number | undefined): number {
  if (salary.period !== 'hour') return salary.amount * PER_YEAR[salary.period];
  return hoursPerWeek === undefined ? Number.NaN : salary.amount * hoursPerWeek * 52;
}

const reaches = (annual: number, th: CompiledThreshold): boolean =>
  annual + 1e-9 >= (Number.isNaN(th.annual) ? Infinity : th.annual);
