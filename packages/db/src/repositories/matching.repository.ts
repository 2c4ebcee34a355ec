import { sql } from 'kysely';
import type { StoredTraineeProfile } from '../trainee-row.ts';
import type { Executor } from './executor.ts';

/** A trainee as the matching jobs load them: what the rules and `@corridor/matching` need, no names or email. */
export interface TraineeForMatching {
  id: string;
  status: 'active' | 'erased';
  owner_org_id: string;
  partnership_id: string | null;
  cohort: string | null;
  consent_share_profile: boolean;
  date_of_birth: string | null;
  profile: StoredTraineeProfile;
}

const TRAINEE_FIELDS = sql.raw(
  't.id, t.status, t.owner_org_id, t.partnership_id, t.cohort, t.consent_share_profile, t.date_of_birth, t.profile',
);

export interface VacancyPrefilter {
  /** The trainee occupations the vacancy can take: its own unit group and the declared bridges into it. */
  occupations: readonly string[];
  destination: string;
  startDate: string;
  pathways: readonly string[];
  /** One group per required language: the trainee must hold one of the tokens (see `atLeastTokens`). */
  languageTokenGroups: readonly (readonly string[])[];
}

export interface TraineePrefilter {
  /** The vacancy occupations the trainee can take: their own unit group and the bridges out of it. */
  occupations: readonly string[];
  /** The trainee's preferred destinations; empty = open to all. */
  destinations: readonly string[];
  earliestStart: string | null;
}

export const matchingRepository = {
  /**
   * Locks a vacancy for one matching run (FOR NO KEY UPDATE): two runs for one vacancy take turns, so the second
   * reconciles against what the first wrote. A decision that fills the last place takes the same lock.
   */
  lockVacancy(trx: Executor, id: string) {
    return trx
      .selectFrom('vacancies')
      .leftJoin('partnerships', 'partnerships.id', 'vacancies.partnership_id')
      .selectAll('vacancies')
      .select(['partnerships.government_to_government as partnership_g2g', 'partnerships.origin as partnership_origin'])
      .where('vacancies.id', '=', id)
      .forNoKeyUpdate('vacancies')
      .executeTakeFirst();
  },

  /**
   * The SQL prefilter of `match.vacancy`, on indexed columns: active trainees in a compatible occupation
   * (trainees_match_idx), who prefer the destination or stated none, are available by the start date, hold each
   * required language at the tolerated level (trainees_language_levels_gin), may be matched (shared profile, or
   * enrolled in a partnership programme), and are not stored as `not_eligible` on every accepted pathway.
   *
   * Stored results are evaluated without an offer and as of their evaluation day, so `insufficient_data` (typically
   * "job offer: unknown") still passes; the job re-evaluates the survivors exactly, with this vacancy's offer as of
   * its start date. A trainee with no stored result yet (just created) passes too.
   */
  async candidatesForVacancy(trx: Executor, f: VacancyPrefilter): Promise<TraineeForMatching[]> {
    const languages = f.languageTokenGroups.map((g) => sql`AND t.language_levels && ${sql.val([...g])}::text[]`);
    const result = await sql<TraineeForMatching>`
      SELECT ${TRAINEE_FIELDS}
      FROM trainees t
      WHERE t.status = 'active'
        AND t.isco08 = ANY(${sql.val([...f.occupations])}::bpchar[])
        AND (t.consent_share_profile OR t.partnership_id IS NOT NULL)
        AND (t.preferred_destinations = '{}' OR t.preferred_destinations @> ARRAY[${f.destination}]::text[])
        AND (t.earliest_start IS NULL OR t.earliest_start <= ${f.startDate}::date)
        ${sql.join(languages, sql` `)}
        AND (
          SELECT count(*) FROM eligibility_results e
          WHERE e.trainee_id = t.id AND e.pathway_id = ANY(${sql.val([...f.pathways])}::text[])
            AND e.status = 'not_eligible'
        ) < ${f.pathways.length}
      ORDER BY t.id`.execute(trx);
    return result.rows;
  },

  /** Trainees by id whatever their state (the ones holding open proposals must be re-checked, or withdrawn). */
  async traineesByIds(trx: Executor, ids: readonly string[]): Promise<TraineeForMatching[]> {
    if (ids.length === 0) return [];
    const result = await sql<TraineeForMatching>`
      SELECT ${TRAINEE_FIELDS} FROM trainees t WHERE t.id = ANY(${sql.val([...ids])}::uuid[]) ORDER BY t.id`.execute(
      trx,
    );
    return result.rows;
  },

  /**
   * The reverse prefilter of `match.trainee`: open vacancies with a start date, in an occupation the trainee can
   * take, at a destination they prefer, starting no earlier than they are available (vacancies_match_idx).
   */
  openVacanciesForTrainee(trx: Executor, f: TraineePrefilter) {
    let q = trx
      .selectFrom('vacancies')
      .leftJoin('partnerships', 'partnerships.id', 'vacancies.partnership_id')
      .selectAll('vacancies')
      .select(['partnerships.government_to_government as partnership_g2g', 'partnerships.origin as partnership_origin'])
      .where('vacancies.status', '=', 'open')
      .where('vacancies.start_date', 'is not', null)
      .where(sql<boolean>`vacancies.isco08 = ANY(${sql.val([...f.occupations])}::bpchar[])`);
    if (f.destinations.length > 0)
      q = q.where(sql<boolean>`vacancies.destination = ANY(${sql.val([...f.destinations])}::bpchar[])`);
    if (f.earliestStart) q = q.where('vacancies.start_date', '>=', f.earliestStart);
    return q.orderBy('vacancies.id').execute();
  },

  /**
   * Per vacancy: how many shortlist proposals it holds and the weakest one's score and trainee, to tell whether a
   * trainee would enter the shortlist (served by placements_vacancy_score_idx).
   */
  async shortlistEdges(trx: Executor, vacancyIds: readonly string[]) {
    if (vacancyIds.length === 0) return [];
    const result = await sql<{ vacancy_id: string; n: string; min_score: number | null }>`
      SELECT p.vacancy_id, count(*) AS n, min(p.score) AS min_score
      FROM placements p
      WHERE p.vacancy_id = ANY(${sql.val([...vacancyIds])}::uuid[]) AND p.status = 'proposed' AND p.source = 'shortlist'
      GROUP BY p.vacancy_id`.execute(trx);
    return result.rows.map((r) => ({ vacancyId: r.vacancy_id, count: Number(r.n), minScore: r.min_score }));
  },

  /** A cohort's active trainees (trainees_partnership_cohort_idx), in id order. */
  async cohortTrainees(trx: Executor, partnershipId: string, cohort: string): Promise<TraineeForMatching[]> {
    const result = await sql<TraineeForMatching>`
      SELECT ${TRAINEE_FIELDS} FROM trainees t
      WHERE t.partnership_id = ${partnershipId}::uuid AND t.cohort = ${cohort} AND t.status = 'active'
      ORDER BY t.id`.execute(trx);
    return result.rows;
  },

  /** A partnership's open vacancies with a start date, in id order, locked for the round (as `lockVacancy`). */
  partnershipOpenVacancies(trx: Executor, partnershipId: string) {
    return trx
      .selectFrom('vacancies')
      .innerJoin('partnerships', 'partnerships.id', 'vacancies.partnership_id')
      .selectAll('vacancies')
      .select(['partnerships.government_to_government as partnership_g2g', 'partnerships.origin as partnership_origin'])
      .where('vacancies.partnership_id', '=', partnershipId)
      .where('vacancies.status', '=', 'open')
      .where('vacancies.start_date', 'is not', null)
      .orderBy('vacancies.id')
      .forNoKeyUpdate('vacancies')
      .execute();
  },
};
