import { describe, expect, it } from 'vitest';
import { renderEmail, renderInbox } from './render.ts';
import type { PlacementMessage } from './types.ts';

const links = {
  app: 'https://corridor.example',
  preferences: 'https://corridor.example/p/t',
  unsubscribe: 'https://corridor.example/p/t/unsubscribe',
};

const placement = (over: Partial<PlacementMessage> = {}): PlacementMessage => ({
  event: 'placement.proposed',
  placementId: 'p-1',
  vacancyId: 'v-1',
  vacancyTitle: 'Nurse <script>alert(1)</script> & "ICU"',
  destination: 'DE',
  status: 'proposed',
  by: 'engine',
  candidate: {
    traineeId: 't-1',
    pseudonym: 'Candidate 1A2B3C4D',
    ageBand: '25–29',
    nationality: 'PH',
    isco08: '2221',
    qualifications: [],
    languages: [{ language: 'de', cefr: 'B2' }],
    experienceMonths: 24,
  },
  contactReleased: false,
  ...over,
});

describe('email templates', () => {
  it('escapes every value in HTML: a vacancy title is text, never markup', () => {
    const email = renderEmail('employer.placement', placement(), { links, name: '<b>Petra</b>' });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Nurse &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;ICU&quot;');
    expect(email.html).toContain('Hello &lt;b&gt;Petra&lt;/b&gt;,');
    expect(email.subject).toContain('Nurse <script>alert(1)</script>'); // a subject is plain text
  });

  it('carries the preferences and unsubscribe links in both parts', () => {
    const email = renderEmail('trainee.placement', placement(), { links, name: 'Maria' });
    for (const part of [email.text, email.html]) {
      expect(part).toContain(links.preferences);
      expect(part).toContain(links.unsubscribe);
      expect(part).toContain('https://corridor.example/v1/placements/p-1');
    }
  });

  it('explains an eligibility change by the rule and its date', () => {
    const email = renderEmail(
      'trainee.eligibility',
      {
        traineeId: 't-1',
        pathwayId: 'au-skills-in-demand',
        pathwayName: 'Skills in Demand visa (core skills)',
        from: 'eligible',
        to: 'not_eligible',
        reason: 'rules_changed',
        packVersion: '2026.2',
        effectiveFrom: '2026-07-01',
        asOf: '2026-07-01',
        criteria: [{ id: 'occupation-listed', label: 'Occupation on the Core Skills Occupation List' }],
      },
      { links },
    );
    expect(email.subject).toBe('Your eligibility for Skills in Demand visa (core skills) changed');
    expect(email.text).toContain(
      'You were eligible for Skills in Demand visa (core skills); as of 1 July 2026 you are not eligible.',
    );
    expect(email.text).toContain(
      'version 2026.2, in force from 1 July 2026): Occupation on the Core Skills Occupation List.',
    );
  });

  it("tells a partnership's admin why a round left places and people", () => {
    const round = {
      roundId: 'r-1',
      cohort: '2026-A',
      trainees: 45_000,
      matched: 1,
      places: 41_500,
      unfilledPlaces: 41_499,
      unfilledVacancies: 6_399,
      vacanciesWithoutCandidates: 1,
      unmatchedTrainees: 44_999,
      traineesWithoutOptions: 30_000,
    };
    const inbox = renderInbox('partnership.round_completed', round, links);
    expect(inbox.title).toBe('Match round for cohort 2026-A: 1 trainee matched');
    expect(inbox.body).toBe(
      [
        '1 trainee of 45,000 matched to 41,500 open places; each pair is proposed as a placement, and both sides still decide.',
        '41,499 places in 6,399 vacancies stayed unfilled; 1 vacancy of these had no candidate: nobody in the cohort meets what it asks.',
        '44,999 trainees stayed unmatched: 14,999 lost out to candidates the employers ranked higher, and no vacancy of the round could take the other 30,000, so only training, recognition or other vacancies can help those trainees.',
      ].join('\n'),
    );
    const all = renderInbox(
      'partnership.round_completed',
      {
        ...round,
        unfilledPlaces: 0,
        unfilledVacancies: 0,
        vacanciesWithoutCandidates: 0,
        traineesWithoutOptions: 44_999,
      },
      links,
    );
    expect(all.body).toContain('Every place was filled.');
    expect(all.body).toContain('no vacancy of the round could take any of them');
    expect(renderEmail('partnership.round_completed', round, { links }).text).toContain(
      'https://corridor.example/v1/match-rounds/r-1',
    );
    // A round that will not be retried failed once; one retried failed on every try.
    const failed = (attempts: number) =>
      renderInbox('partnership.round_failed', { roundId: 'r-1', cohort: '2026-A', attempts }, links).body;
    expect(failed(1)).toMatch(/^The round failed\. Nothing was changed: no placement was proposed\./);
    expect(failed(3)).toMatch(/^The round failed on each of its 3 tries\. Nothing was changed/);
  });

  it('falls back to English for a language without a catalogue, and says which it used', () => {
    const email = renderEmail('employer.placement', placement(), { links, locale: 'tl-PH' });
    expect(email.locale).toBe('en');
    expect(email.html).toContain('<html lang="en">');
  });

  it('renders an inbox item from the same message', () => {
    const item = renderInbox(
      'employer.placement',
      placement({ event: 'placement.withdrawn', status: 'withdrawn' }),
      links,
    );
    expect(item.title).toBe('Proposal withdrawn: Candidate 1A2B3C4D for Nurse <script>alert(1)</script> & "ICU"');
    expect(item.body).toContain('nationality PH');
  });
});
