import type { EligibilityMessage, Messages, PlacementMessage } from './types.ts';

const STATUS: Record<string, string> = {
  eligible: 'eligible',
  conditionally_eligible: 'eligible on conditions',
  not_eligible: 'not eligible',
  insufficient_data: 'not decided (information missing)',
};
const status = (s: string | null) => (s === null ? 'not evaluated' : (STATUS[s] ?? s));

const date = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  );

const placementLink = (m: PlacementMessage, app: string) => `${app}/v1/placements/${m.placementId}`;

function candidateLine(m: PlacementMessage): string {
  const c = m.candidate;
  const langs = c.languages.map((l) => `${l.language.toUpperCase()}${l.cefr ? ` ${l.cefr}` : ''}`).join(', ');
  return [
    c.pseudonym,
    c.ageBand ? `aged ${c.ageBand}` : null,
    `nationality ${c.nationality}`,
    langs ? `languages ${langs}` : null,
    c.experienceMonths > 0 ? `${c.experienceMonths} months' experience` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function eligibilityReason(m: EligibilityMessage): string {
  const rules = m.criteria.map((c) => c.label).join('; ');
  if (m.reason === 'rules_changed')
    return `This is because the rules for ${m.pathwayName} changed (version ${m.packVersion}${
      m.effectiveFrom ? `, in force from ${date(m.effectiveFrom)}` : ''
    })${rules ? `: ${rules}` : ''}.`;
  return `This follows a change to your profile${rules ? `; the rules concerned: ${rules}` : ''}.`;
}

export const en: Messages = {
  locale: 'en',
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  footer: {
    why: 'You receive this because you take part in a skills partnership on Corridor.',
    preferences: 'Choose which messages you receive',
    unsubscribe: 'Unsubscribe from all email',
  },
  render: {
    'employer.shortlist': (m, links) => {
      const items = Object.values(m.items).sort((a, b) => b.score - a.score);
      return {
        subject:
          items.length === 1
            ? `1 new candidate for ${m.vacancyTitle}`
            : `${items.length} new candidates for ${m.vacancyTitle}`,
        paragraphs: [
          `Corridor proposes ${items.length === 1 ? 'a new candidate' : `${items.length} new candidates`} for your vacancy "${m.vacancyTitle}" (${m.destination}).`,
          'Candidates are shown under a pseudonym until they accept; each proposal explains its score.',
        ],
        list: items.map(
          (i) =>
            `${i.pseudonym}: score ${i.score.toFixed(2)}, nationality ${i.nationality}${i.ageBand ? `, aged ${i.ageBand}` : ''}`,
        ),
        action: { label: 'Review the shortlist', url: `${links.app}/v1/vacancies/${m.vacancyId}/matches` },
      };
    },
    'employer.placement': (m, links) => {
      const who = m.candidate.pseudonym;
      const byTrainee = m.by === 'trainee';
      const subjects: Record<string, string> = {
        'placement.proposed': `New candidate for ${m.vacancyTitle}: ${who}`,
        'placement.accepted': byTrainee
          ? `${who} accepted your offer for ${m.vacancyTitle}`
          : `You accepted ${who} for ${m.vacancyTitle}`,
        'placement.declined': byTrainee
          ? `${who} declined the placement for ${m.vacancyTitle}`
          : `Declined: ${who} for ${m.vacancyTitle}`,
        'placement.matched': `Matched: ${who} for ${m.vacancyTitle}`,
        'placement.withdrawn': `Proposal withdrawn: ${who} for ${m.vacancyTitle}`,
        'placement.milestone': `${who}, ${m.vacancyTitle}: ${m.milestone ?? m.status}`,
      };
      const paragraphs = [candidateLine(m)];
      if (m.contactReleased)
        paragraphs.push('The candidate accepted: their name and contact details are now shown to you in Corridor.');
      else if (m.event === 'placement.withdrawn')
        paragraphs.push(
          'The pair no longer meets a requirement, or fell out of the shortlist. The placement explains why.',
        );
      return {
        subject: subjects[m.event] ?? `${m.vacancyTitle}: ${m.status}`,
        paragraphs,
        action: { label: 'Open the placement', url: placementLink(m, links.app) },
      };
    },
    'trainee.placement': (m, links) => {
      const place = `${m.vacancyTitle} (${m.destination})`;
      const byEmployer = m.by === 'employer';
      const texts: Record<string, [string, string]> = {
        'placement.proposed': [
          `New match: ${place}`,
          'You have been matched with this vacancy. Please look at the offer and accept or decline it.',
        ],
        'placement.accepted': byEmployer
          ? [`The employer accepted you: ${place}`, 'The employer wants to go ahead. Your decision is needed.']
          : [`You accepted: ${place}`, 'We have told the employer. Your contact details are now shared with them.'],
        'placement.declined': [`Not going ahead: ${place}`, 'This placement was declined and is closed.'],
        'placement.matched': [
          `Matched: ${place}`,
          'Both sides have accepted. The employer will contact you about the next steps (recognition, visa, travel). Under the employer-pays principle you pay no recruitment fees.',
        ],
        'placement.withdrawn': [
          `Match withdrawn: ${place}`,
          'This match no longer applies, for example because a requirement is no longer met. The placement explains why.',
        ],
        'placement.milestone': [`${place}: ${m.milestone ?? m.status}`, 'A new step was recorded on your placement.'],
      };
      const [subject, text] = texts[m.event] ?? [`${place}: ${m.status}`, 'Your placement changed.'];
      return { subject, paragraphs: [text], action: { label: 'See the placement', url: placementLink(m, links.app) } };
    },
    'provider.placement': (m, links) => ({
      subject: `${m.candidate.pseudonym} · ${m.vacancyTitle}: ${m.event.replace('placement.', '')}`,
      paragraphs: [`A placement of one of your trainees is now ${m.status.replaceAll('_', ' ')}.`],
      action: { label: 'Open the placement', url: placementLink(m, links.app) },
    }),
    'trainee.eligibility': (m, links) => ({
      subject: `Your eligibility for ${m.pathwayName} changed`,
      paragraphs: [
        `You were ${status(m.from)} for ${m.pathwayName}; as of ${date(m.asOf)} you are ${status(m.to)}.`,
        eligibilityReason(m),
      ],
      action: { label: 'See the full explanation', url: `${links.app}/v1/trainees/${m.traineeId}/eligibility` },
    }),
    'provider.eligibility': (m, links) => ({
      subject: `A trainee's eligibility for ${m.pathwayName} changed: ${status(m.from)} → ${status(m.to)}`,
      paragraphs: [eligibilityReason(m).replace('your profile', "the trainee's profile")],
      action: { label: 'See the explanation', url: `${links.app}/v1/trainees/${m.traineeId}/eligibility` },
    }),
    'employer.offer_closed': (m, links) => ({
      subject: m.all
        ? `No candidate can be proposed for “${m.vacancyTitle}” as offered`
        : `Some pathways are closed to “${m.vacancyTitle}” as offered`,
      paragraphs: [
        m.all
          ? 'Under the rules in force on its start date, the offer itself rules out every pathway the vacancy accepts, whoever applies:'
          : 'Under the rules in force on its start date, the offer itself rules out these pathways, whoever applies:',
        m.all
          ? 'Nobody will be proposed until the offer changes (or the vacancy accepts another pathway).'
          : 'Candidates can still be proposed through the other pathways the vacancy accepts.',
      ],
      list: m.pathways.map((p) => `${p.pathwayId} (${p.criterionId}): ${p.detail}`),
      action: { label: 'Open the vacancy', url: `${links.app}/v1/vacancies/${m.vacancyId}/matches` },
    }),
    'partnership.round_completed': (m, links) => ({
      subject: `Match round for cohort ${m.cohort}: ${count(m.matched, 'trainee')} matched`,
      paragraphs: [
        `${count(m.matched, 'trainee')} of ${m.trainees.toLocaleString('en')} matched to ${count(m.places, 'open place')}; each pair is proposed as a placement, and both sides still decide.`,
        m.unfilledPlaces === 0
          ? 'Every place was filled.'
          : `${count(m.unfilledPlaces, 'place')} in ${count(m.unfilledVacancies, 'vacancy', 'vacancies')} stayed unfilled` +
            (m.vacanciesWithoutCandidates === 0
              ? ': every trainee who could take them was matched there or to a vacancy they preferred.'
              : `; ${count(m.vacanciesWithoutCandidates, 'vacancy', 'vacancies')} of these had no candidate: nobody in the cohort meets what ${m.vacanciesWithoutCandidates === 1 ? 'it asks' : 'they ask'}.`),
        m.unmatchedTrainees === 0
          ? 'Every trainee was matched.'
          : `${count(m.unmatchedTrainees, 'trainee')} stayed unmatched${unmatchedWhy(m.unmatchedTrainees, m.traineesWithoutOptions)}`,
      ],
      action: { label: 'See the round', url: `${links.app}/v1/match-rounds/${m.roundId}` },
    }),
    'partnership.round_failed': (m, links) => ({
      subject: `Match round for cohort ${m.cohort} could not be completed`,
      paragraphs: [
        `${m.attempts === 1 ? 'The round failed' : `The round failed on each of its ${count(m.attempts, 'try', 'tries')}`}. Nothing was changed: no placement was proposed.`,
        "Corridor's operators can see why in the round's job log. You can request the round again.",
      ],
      action: { label: 'See the round', url: `${links.app}/v1/match-rounds/${m.roundId}` },
    }),
    'trainee.round_unmatched': (m, links) => ({
      subject: `Match round for cohort ${m.cohort}: no placement for you this time`,
      paragraphs:
        m.options === 0
          ? [
              'No vacancy in this round could take you: none of those with places left accepts your occupation, your destinations and the pathways you qualify for as your profile stands.',
              'Your eligibility shows, pathway by pathway, what is met and what is missing (a language level, a recognised qualification). You stay in the pool: vacancies you qualify for later are matched to you as they are posted.',
            ]
          : [
              m.options === null
                ? 'Every vacancy in this round that could take you filled its places with candidates its employer ranked higher.'
                : `${count(m.options, 'vacancy', 'vacancies')} in this round could take you; ${m.options === 1 ? 'it' : 'each'} filled its places with candidates its employer ranked higher.`,
              'You stay in the pool: vacancies you qualify for are matched to you as they are posted, and the next round ranks you again.',
            ],
      action:
        m.options === 0
          ? { label: 'See your eligibility', url: `${links.app}/v1/trainees/${m.traineeId}/eligibility` }
          : { label: 'See your matches', url: `${links.app}/v1/trainees/${m.traineeId}/matches` },
    }),
    'organization.endpoint_disabled': (m, links) => ({
      subject: 'A webhook endpoint was disabled',
      paragraphs: [
        `Corridor stopped sending to ${m.url}: ${m.reason}.`,
        'Fix the receiver, then enable the endpoint again; failed deliveries can be redelivered from its log.',
      ],
      action: { label: 'Open the endpoint', url: `${links.app}/v1/webhook-endpoints/${m.endpointId}` },
    }),
  },
};

/** "1 trainee", "2,400 trainees". */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/**
 * Why trainees stayed unmatched: those some vacancy could take lost out on each to candidates it ranked higher;
 * those none could take need something the round's vacancies did not offer.
 */
function unmatchedWhy(unmatched: number, withoutOptions: number): string {
  const outranked = 'lost out to candidates the employers ranked higher';
  const help = 'only training, recognition or other vacancies can help';
  if (withoutOptions === 0) return `: each could be taken somewhere, but ${outranked}.`;
  if (withoutOptions === unmatched)
    return `; no vacancy of the round could take ${unmatched === 1 ? 'them' : 'any of them'}, so ${help} them.`;
  const others = unmatched - withoutOptions;
  return `: ${others.toLocaleString('en')} ${outranked}, and no vacancy of the round could take the other ${withoutOptions.toLocaleString('en')}, so ${help} ${withoutOptions === 1 ? 'that trainee' : 'those trainees'}.`;
}
