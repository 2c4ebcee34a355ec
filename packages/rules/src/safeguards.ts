import type { EligibilityProfile, SafeguardResult } from '@corridor/domain';
import who from '../data/who-ssl-2023.json' with { type: 'json' };

/** WHO Health Workforce Support and Safeguards List 2023 (55 countries; reconstructed, see the data file). */
export const WHO_SAFEGUARD_LIST_2023: ReadonlySet<string> = new Set(who.countries.map((c) => c.iso2));
export const WHO_SAFEGUARD_LIST_DATA = who;

/** Health and care occupations (ISCO-08): health professionals, associate professionals, personal care in health. */
const HEALTH_PREFIXES = ['22', '32', '5321', '5322'];
export const isHealthOrCareOccupation = (isco08: string): boolean => HEALTH_PREFIXES.some((p) => isco08.startsWith(p));

export interface SafeguardOptions {
  asOf: string;
  /** The partnership covering this corridor, if any. */
  partnership?: { governmentToGovernment: boolean } | undefined;
  /** The vacancy's cost sharing; fees borne by the worker must be 0 (employer pays). */
  costSharing?: { workerFees: number } | undefined;
}

/**
 * Ethical-recruitment safeguards. They govern active recruitment (matching, outreach, referral) and never
 * change a pathway's eligibility status.
 */
export function evaluateSafeguards(profile: EligibilityProfile, options: SafeguardOptions): SafeguardResult[] {
  const country = profile.residence ?? profile.nationality;
  const isco = profile.occupation.isco08;
  const health = isHealthOrCareOccupation(isco);
  const listed = WHO_SAFEGUARD_LIST_2023.has(country);
  const g2g = options.partnership?.governmentToGovernment === true;
  let whoResult: SafeguardResult;
  const scope =
    'This governs active international recruitment (advertising to, matching, referral) only; it never changes visa eligibility, and the person may still apply directly to an advertised vacancy.';
  if (health && listed && !g2g) {
    whoResult = {
      id: 'who-safeguard-list',
      status: 'restricted',
      detail: `Health or care worker (ISCO-08 ${isco}) ${profile.residence ? 'resident in' : 'from'} ${country}, which is on the WHO Health Workforce Support and Safeguards List 2023, with no government-to-government agreement covering the corridor: no proactive outreach, matching or referral. ${scope}`,
    };
  } else {
    const why = !health
      ? `ISCO-08 ${isco} is not a health or care occupation`
      : !listed
        ? `${country} is not on the WHO Health Workforce Support and Safeguards List 2023`
        : `${country} is on the list, but a government-to-government partnership covers the corridor (recruitment on its terms only)`;
    whoResult = { id: 'who-safeguard-list', status: 'clear', detail: `${why}. ${scope}` };
  }
  if (options.asOf < '2023-03-01')
    whoResult.detail += ' The 2023 list is applied; the 2020 list in force before March 2023 is not shipped.';
  const fees = options.costSharing?.workerFees;
  const feesResult: SafeguardResult =
    fees !== undefined && fees > 0
      ? {
          id: 'employer-pays',
          status: 'restricted',
          detail: `The worker would bear ${fees} in recruitment fees or related costs; under the Employer Pays Principle (ILO General Principles, principle 7; IOM IRIS principle C) the worker pays nothing.`,
        }
      : {
          id: 'employer-pays',
          status: 'clear',
          detail:
            fees === undefined
              ? 'No cost-sharing terms given; the Employer Pays Principle requires that the worker pays no recruitment fees or related costs.'
              : 'The worker bears no recruitment fees or related costs (Employer Pays Principle).',
        };
  return [whoResult, feesResult];
}
