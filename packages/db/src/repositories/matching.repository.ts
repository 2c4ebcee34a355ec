import { sql } from 'kysely';
import type { StoredTraineeProfile } from '../trainee-row.ts';
import { cursorPages, type Executor } from './executor.ts';
import { FILLED_STATUSES } from './placements.repository.ts';

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

/** A cohort's trainee as a round reads them (see `cohortTraineePages`). */
export interface CohortTrainee extends TraineeForMatching {
  /** Holds a place anywhere already (matched and later): left out of rounds. */
  placed: boolean;
  /** The vacancies they stated for rounds, in their order; null when they stated none. */
  stated: string[] | null;
}

export const TRAINEE_FIELDS = sql.raw(
  't.id, t.status, t.owner_org_id, t.partnership_id, t.cohort, t.consent_share_profile, t.date_of_birth, t.profile',
);

export interface VacancyPrefilter {
  /** The trainee occupations the vacancy can take: its own unit group and the declared bridges into it. */
  occupations: readonly string[];
  destination: string;
  startDate: string;
  /** One group per required language: the trainee must hold one of the tokens (see `atLeastTokens`). */
  languageTokenGroups: readonly (readonly string[])[];
  /** The vacancy's required languages with the CEFR rank asked for (1 = A1 … 6 = C2), for the ranking features. */
  requiredLanguages: readonly { language: string; rank: number }[];
}

/**
 * What the prefilter's columns say about a trainee's score for one vacancy (the shape of `@corridor/matching`'s
 * RankingFeatures): occupation, language margins and destination preference. Shared between rows that agree.
 */
export interface PrefilterFeatures {
  isco08: string;
  minLanguageMargin: number;
  languageStepsShort: number;
  preferenceIndex: number;
  preferenceCount: number;
}

export interface PrefilteredTrainee {
  id: string;
  features: PrefilterFeatures;
}

const CEFR_TOKENS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
// The feature code packs five small integers into one bigint, so 20,000 survivors cost one column each.
const OCCUPATION_SLOTS = 64;
const MARGIN_SLOTS = 16; // least margin + 7, in 1..13; 15 = no language required
const SHORT_SLOTS = 64; // ≤ 10 languages × 5 levels short
const POSITION_SLOTS = 32; // preference lists hold ≤ 30 destinations
const NO_LANGUAGE_REQUIRED = 15;

export interface TraineePrefilter {
  /** The vacancy occupations the trainee can take: their own unit group and the bridges out of it. */
  occupations: readonly string[];
  /** The trainee's preferred destinations; empty = open to all. */
  destinations: readonly string[];
  earliestStart: string | null;
  /** The `language:level` requirements the trainee meets (within the matching tolerance): a vacancy's must all be. */
  languageTokens: readonly string[];
}

/**
 * What a round asks of a cohort's trainee `t` besides their profile: whether they already hold a place anywhere
 * (`placed`: left out of rounds) and the vacancies they stated for rounds, in their order (`stated`; null: none).
 */
const roundFlags = () => sql`
  EXISTS (
    SELECT 1 FROM placements p
    WHERE p.trainee_id = t.id AND p.status = ANY(${sql.val([...FILLED_STATUSES])}::text[])
  ) AS placed,
  (SELECT r.vacancy_ids FROM trainee_round_preferences r WHERE r.trainee_id = t.id) AS stated`;

/** Vacancy rows with their partnership's terms (G2G, origin), as the matching jobs read them. */
const vacancyRows = (trx: Executor) =>
  trx
    .selectFrom('vacancies')
    .leftJoin('partnerships', 'partnerships.id', 'vacancies.partnership_id')
    .selectAll('vacancies')
    .select(['partnerships.government_to_government as partnership_g2g', 'partnerships.origin as partnership_origin']);

export const matchingRepository = {
  /**
   * Locks a vacancy for one matching run (FOR NO KEY UPDATE): two runs for one vacancy take turns, so the second
   * reconciles against what the first wrote. A decision that fills the last place takes the same lock.
   */
  lockVacancy(trx: Executor, id: string) {
    return vacancyRows(trx).where('vacancies.id', '=', id).forNoKeyUpdate('vacancies').executeTakeFirst();
  },

  /** Records which pathways the employer was told their offer closes (null: none). */
  async setClosedPathways(
    trx: Executor,
    vacancyId: string,
    closed: readonly { pathwayId: string; pathwayVersion: string; criterionId: string; outcome: string }[] | null,
  ): Promise<void> {
    await sql`UPDATE vacancies SET closed_pathways = ${closed === null ? null : JSON.stringify(closed)}::jsonb
      WHERE id = ${vacancyId}::uuid`.execute(trx);
  },

  /**
   * Open vacancies that accept a pathway, in id order after `after`: the ones a change to that pathway's rules
   * may open or close (their offers are judged by its criteria).
   */
  async openVacanciesAccepting(trx: Executor, pathwayId: string, after: string | undefined, limit: number) {
    const result = await sql<{ id: string }>`
      SELECT v.id FROM vacancies v
      WHERE v.status = 'open' AND ${pathwayId}::text = ANY(v.pathways)
        ${after ? sql`AND v.id > ${after}::uuid` : sql``}
      ORDER BY v.id LIMIT ${limit}`.execute(trx);
    return result.rows.map((r) => r.id);
  },

  /** `lockVacancy` for many vacancies at once, in id order (so that two such locks never wait on each other). */
  lockVacancies(trx: Executor, ids: readonly string[]) {
    return vacancyRows(trx)
      .where('vacancies.id', 'in', ids.length > 0 ? [...ids] : ['00000000-0000-0000-0000-000000000000'])
      .orderBy('vacancies.id')
      .forNoKeyUpdate('vacancies')
      .execute();
  },

  /**
   * The SQL prefilter of `match.vacancy`, on indexed columns only: every active trainee who may be matched (shared
   * profile, or enrolled in a partnership programme) in a compatible occupation, available by the start date
   * (trainees_match_cover_idx: its partial predicate, then its key range; it carries every other column read here,
   * so the scan never visits the table), who prefers the destination or stated none and holds each required
   * language at the tolerated level. Returns ids and ranking
   * features only; the caller orders them by their best possible score and loads profiles page by page
   * (`traineesForChecks`), so 1,000,000 stored trainees never means 20,000 profiles read.
   */
  async prefilterForVacancy(trx: Executor, f: VacancyPrefilter): Promise<PrefilteredTrainee[]> {
    if (f.occupations.length === 0 || f.occupations.length >= OCCUPATION_SLOTS) {
      if (f.occupations.length === 0) return [];
      throw new RangeError(`at most ${OCCUPATION_SLOTS - 1} compatible occupations`);
    }
    const languages = f.languageTokenGroups.map((g) => sql`AND t.language_levels && ${sql.val([...g])}::text[]`);
    const occupationIndex = sql`CASE t.isco08 ${sql.join(
      f.occupations.map((o, i) => sql`WHEN ${o}::bpchar THEN ${sql.lit(i)}`),
      sql` `,
    )} END`;
    // Each required language's rank from the one token per language in language_levels (0 = not held).
    const ranks = f.requiredLanguages.map(
      (r) =>
        sql`(CASE ${sql.join(
          CEFR_TOKENS.map(
            (level, i) => sql`WHEN ${`${r.language}:${level}`}::text = ANY(t.language_levels) THEN ${sql.lit(i + 1)}`,
          ).reverse(),
          sql` `,
        )} ELSE 0 END)`,
    );
    const margin =
      ranks.length === 0
        ? sql.lit(NO_LANGUAGE_REQUIRED)
        : sql`(least(${sql.join(
            ranks.map((rank, i) => sql`${rank} - ${sql.lit(f.requiredLanguages[i]!.rank)}`),
            sql`, `,
          )}) + 7)`;
    const short =
      ranks.length === 0
        ? sql.lit(0)
        : sql`(${sql.join(
            ranks.map((rank, i) => sql`greatest(0, ${sql.lit(f.requiredLanguages[i]!.rank)} - ${rank})`),
            sql` + `,
          )})`;
    const position = sql`coalesce(array_position(t.preferred_destinations, ${f.destination}::text), 0)`;
    const count = sql`least(cardinality(t.preferred_destinations), ${sql.lit(POSITION_SLOTS - 1)})`;
    const result = await sql<{ id: string; f: string }>`
      SELECT t.id, (${occupationIndex} + ${sql.lit(OCCUPATION_SLOTS)}::int8 * (${margin} + ${sql.lit(MARGIN_SLOTS)} * (${short}
        + ${sql.lit(SHORT_SLOTS)}::int8 * (${position} + ${sql.lit(POSITION_SLOTS)} * ${count}))))::text AS f
      FROM trainees t
      WHERE t.status = 'active'
        AND t.isco08 = ANY(${sql.val([...f.occupations])}::bpchar[])
        AND (t.consent_share_profile OR t.partnership_id IS NOT NULL)
        AND (t.preferred_destinations = '{}' OR t.preferred_destinations @> ARRAY[${f.destination}]::text[])
        AND coalesce(t.earliest_start, '-infinity'::date) <= ${f.startDate}::date
        ${sql.join(languages, sql` `)}`.execute(trx);
    const shared = new Map<string, PrefilterFeatures>();
    const out: PrefilteredTrainee[] = new Array(result.rows.length);
    for (let i = 0; i < result.rows.length; i++) {
      const row = result.rows[i]!;
      let features = shared.get(row.f);
      if (!features) {
        features = decodeFeatures(Number(row.f), f.occupations);
        shared.set(row.f, features);
      }
      out[i] = { id: row.id, features };
    }
    return out;
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
   * take, at a destination they prefer, starting no earlier than they are available (vacancies_match_idx), whose
   * language requirements the trainee meets within the tolerance.
   */
  openVacanciesForTrainee(trx: Executor, f: TraineePrefilter) {
    let q = vacancyRows(trx)
      .where('vacancies.status', '=', 'open')
      .where('vacancies.start_date', 'is not', null)
      .where(sql<boolean>`vacancies.isco08 = ANY(${sql.val([...f.occupations])}::bpchar[])`);
    if (f.destinations.length > 0)
      q = q.where(sql<boolean>`vacancies.destination = ANY(${sql.val([...f.destinations])}::bpchar[])`);
    if (f.earliestStart) q = q.where('vacancies.start_date', '>=', f.earliestStart);
    q = q.where(sql<boolean>`vacancies.required_languages <@ ${sql.val([...f.languageTokens])}::text[]`);
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

  /**
   * The same cohort in pages of `pageSize`, in id order, through a cursor on the caller's transaction (a round reads a
   * cohort of a million without holding every profile at once), each row with what a round asks of it: whether the
   * person already holds a place anywhere, and the list of vacancies they stated for rounds. One query per page,
   * read from the same snapshot. Run it to the end, or the cursor stays open until the transaction ends.
   */
  cohortTraineePages(
    trx: Executor,
    partnershipId: string,
    cohort: string,
    pageSize: number,
  ): AsyncGenerator<CohortTrainee[]> {
    return cursorPages<CohortTrainee>(
      trx,
      'cohort_trainees',
      sql`
        SELECT ${TRAINEE_FIELDS}, ${roundFlags()}
        FROM trainees t
        WHERE t.partnership_id = ${partnershipId}::uuid AND t.cohort = ${cohort} AND t.status = 'active'
        ORDER BY t.id`,
      pageSize,
    );
  },

  /**
   * What a round needs first of a partnership's open vacancies with a start date, in id order: ids, versions, places
   * and the partnership's terms, locked for the round (as `lockVacancy`) unless `lock` is false. A round whose
   * stored lists hold reads the full rows of the vacancies it matches only (`vacanciesByIds`): 50,000 full rows took
   * a second to read.
   */
  async partnershipVacancyVersions(trx: Executor, partnershipId: string, { lock = true }: { lock?: boolean } = {}) {
    const q = trx
      .selectFrom('vacancies')
      .innerJoin('partnerships', 'partnerships.id', 'vacancies.partnership_id')
      .select(['vacancies.id', 'vacancies.version', 'vacancies.headcount'])
      .select(['partnerships.government_to_government as partnership_g2g', 'partnerships.origin as partnership_origin'])
      .where('vacancies.partnership_id', '=', partnershipId)
      .where('vacancies.status', '=', 'open')
      .where('vacancies.start_date', 'is not', null)
      .orderBy('vacancies.id');
    return (lock ? q.forNoKeyUpdate('vacancies') : q).execute();
  },

  /** Vacancies by id, in id order, with their partnership's terms, whatever their state (no lock). */
  vacanciesByIds(trx: Executor, ids: readonly string[]) {
    return vacancyRows(trx)
      .where('vacancies.id', '=', sql<string>`ANY(${sql.val([...ids])}::uuid[])`)
      .orderBy('vacancies.id')
      .execute();
  },

  /**
   * A partnership's open vacancies with a start date, in id order, locked for the round (as `lockVacancy`) unless
   * `lock` is false (lists built ahead of a round record the versions they read instead).
   */
  partnershipOpenVacancies(trx: Executor, partnershipId: string, { lock = true }: { lock?: boolean } = {}) {
    const q = vacancyRows(trx)
      .where('vacancies.partnership_id', '=', partnershipId)
      .where('vacancies.status', '=', 'open')
      .where('vacancies.start_date', 'is not', null)
      .orderBy('vacancies.id');
    return (lock ? q.forNoKeyUpdate('vacancies') : q).execute();
  },
};

function decodeFeatures(code: number, occupations: readonly string[]): PrefilterFeatures {
  let rest = code;
  const occupation = rest % OCCUPATION_SLOTS;
  rest = Math.floor(rest / OCCUPATION_SLOTS);
  const margin = rest % MARGIN_SLOTS;
  rest = Math.floor(rest / MARGIN_SLOTS);
  const short = rest % SHORT_SLOTS;
  rest = Math.floor(rest / SHORT_SLOTS);
  const position = rest % POSITION_SLOTS;
  const count = Math.floor(rest / POSITION_SLOTS);
  // A list longer than the code can hold (the schema caps it at 30) is read as a first choice: the best case.
  const overflow = count >= POSITION_SLOTS - 1;
  return {
    isco08: occupations[occupation]!,
    minLanguageMargin: margin === NO_LANGUAGE_REQUIRED ? Number.POSITIVE_INFINITY : margin - 7,
    languageStepsShort: short,
    preferenceIndex: overflow ? 0 : position - 1,
    preferenceCount: overflow ? 1 : count,
  };
}
