import {
  type CohortTrainee,
  languageLevelTokens,
  minimumLanguageTokens,
  type placementsRepository,
} from '@corridor/db';
import type { CefrLevelCode } from '@corridor/domain';
import {
  experienceMonthsWithin,
  type MatchCandidate,
  type OccupationBridge,
  occupationsOpenTo,
  type VacancyScorer,
  vacancyScorer,
} from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import {
  checkCandidate,
  filledPlaces,
  type PairEvaluation,
  type PreparedMatchVacancy,
  personClosesCombination,
  prepareMatchVacancy,
  roundPairEvaluation,
  roundPairPasses,
  ShortlistEdge,
  safeguardListCloses,
  satisfiableLanguageTokens,
  type VacancyForMatching,
} from './match-vacancy.ts';

/**
 * A cohort round's rank lists, built page by page of trainees: pure computation over the round's open vacancies
 * (prepared once) and each page's trainee rows, with no I/O, so that the same code runs on the job's thread and on
 * worker threads (see round-threads.ts).
 *
 * A trainee's list is their stated order, or else their best acceptable vacancies by exact score. It is built
 * without checking every vacancy: the ones they could take at all (occupation, preferred destination,
 * availability, languages: plain comparisons) are ordered by their best possible score (`vacancyScorer.upperBound`,
 * with experience counted) and checked exactly (rules with each offer as of its start date) until the list is full
 * and nobody unchecked could enter it, as match.vacancy builds a shortlist. Vacancies whose offer closes every
 * pathway they accept (`RuleBook.offerBlockers`) are never checked, and a set of vacancies the person's own blockers
 * or the WHO safeguard list close is skipped whole. Vacancies whose offers differ only in what the rules do not turn
 * on (`RuleBook.offerClass`: pay above the same thresholds, say), with the same start date, pathways and fees left
 * to the worker, share one evaluation of the rules per trainee; each still gets its own filters and score.
 */

/** The placement rows a round reads (declined pairs are never listed; held places are re-proposed or kept). */
export type RoundPlacement = Awaited<ReturnType<typeof placementsRepository.forVacancies>>[number];
/** An open vacancy row as the round reads it. */
export type RoundVacancyRow = VacancyForMatching & { headcount: number; version: number };

export interface RoundListsOptions {
  bridges: readonly OccupationBridge[];
  listLength: number;
}

/** One trainee's list, best first. */
export interface TraineeList {
  traineeId: string;
  /** Positions in `RoundLists.prepared` (which every thread of a round prepares alike). */
  vacancies: number[];
  scores: number[];
  /**
   * Whether the list holds every vacancy the trainee may take (fewer than the list length were found), rather than
   * being cut at the length: a complete list stays exact when some of its vacancies fill (see stored-lists.ts).
   */
  complete: boolean;
}

export interface PageLists {
  /** In the page's order; trainees already placed are left out. */
  lists: TraineeList[];
  /**
   * Exact checks run: hard filters and a score, each for a set of alike vacancies (see `Alike`) that the trainee's
   * list could still take.
   */
  checks: number;
  /** The evaluations of the rules those checks took (alike sets of one class share one: see `evaluationClass`). */
  evaluations: number;
  /** Acceptable pairs found (the engine's lists stop early, so this is at least the listed pairs). */
  acceptable: number;
}

/**
 * A slice of the cohort as the database gives it: each trainee with whether they already hold a place anywhere (left
 * out of the round) and the vacancies they stated, in their order (see `matchingRepository.cohortTraineePages`).
 */
export interface CohortPage {
  trainees: CohortTrainee[];
}

export interface PreparedRoundVacancy {
  /** `pv.vacancy.id`, read here by the walk without two more objects. */
  id: string;
  /** Its position in `RoundLists.prepared`: how lists name it. */
  index: number;
  pv: PreparedMatchVacancy;
  held: ReadonlyMap<string, RoundPlacement>;
  /** The trainees who declined it (never listed for it); null when nobody has, as for most vacancies. */
  declinedBy: ReadonlySet<string> | null;
  capacity: number;
  scorer: VacancyScorer;
  /**
   * Start date, pathways, offer class and fees left to the worker, numbered per round: a trainee's evaluation of the
   * rules for one vacancy serves every vacancy of the same number (see `PairEvaluation`).
   */
  evaluationClass: number;
}

/** The placements of a vacancy that has none, shared. */
const NONE_HELD: ReadonlyMap<string, RoundPlacement> = new Map();

export class RoundLists {
  readonly prepared: PreparedRoundVacancy[] = [];
  readonly byId: Map<string, PreparedRoundVacancy>;
  /**
   * Open vacancies a trainee could take at all, by `occupation|destination`, then by the languages they require
   * (asked once per trainee), then in classes of bound groups.
   */
  private readonly buckets = new Map<string, LanguageClass[]>();
  private readonly destinations = new Set<string>();
  private readonly combinations = new Map<string, number>();
  private readonly kinds = new Map<string, number>();
  private readonly evaluationClasses = new Map<string, number>();
  /** The round's distinct start dates, in order: a cell's date is its position here, compared as a number. */
  private readonly startDates: string[];
  /** The first and last of them: the dates a trainee's experience is counted over for their bounds. */
  private readonly firstStart: string;
  private readonly lastStart: string;
  private readonly bridges: readonly OccupationBridge[];
  private readonly listLength: number;

  constructor(
    private readonly book: RuleBook,
    vacancyRows: readonly RoundVacancyRow[],
    placements: readonly RoundPlacement[],
    options: RoundListsOptions,
  ) {
    this.bridges = options.bridges;
    this.listLength = options.listLength;
    const placementsByVacancy = new Map<string, Map<string, RoundPlacement>>();
    for (const p of placements) {
      let m = placementsByVacancy.get(p.vacancy_id);
      if (!m) {
        m = new Map();
        placementsByVacancy.set(p.vacancy_id, m);
      }
      m.set(p.trainee_id, p);
    }
    const numbered = (map: Map<string, number>, key: string): number => {
      let n = map.get(key);
      if (n === undefined) {
        n = map.size;
        map.set(key, n);
      }
      return n;
    };
    // Open vacancies a trainee could take at all, by occupation and destination, then grouped by what their score's
    // upper bound reads (VacancyScorer.boundKey): a trainee's bound is computed once per group, not per vacancy.
    const groups = new Map<string, BoundGroup>();
    for (const row of vacancyRows) {
      const held = placementsByVacancy.get(row.id) ?? NONE_HELD;
      const heldRows = [...held.values()];
      const filled = filledPlaces(heldRows);
      const pv = prepareMatchVacancy(row, filled);
      if (!pv) continue;
      const scorer = vacancyScorer(pv.vacancy, { bridges: this.bridges });
      const declined = heldRows.filter((p) => p.status === 'declined').map((p) => p.trainee_id);
      const offerClass = this.book.offerClass(pv.offer, { asOf: pv.startDate, pathways: pv.vacancy.pathways });
      const v: PreparedRoundVacancy = {
        id: pv.vacancy.id,
        index: this.prepared.length,
        pv,
        held,
        declinedBy: declined.length > 0 ? new Set(declined) : null,
        capacity: Math.max(0, row.headcount - filled),
        scorer,
        evaluationClass: numbered(
          this.evaluationClasses,
          `${pv.combination}#${offerClass}#${pv.vacancy.costSharing?.workerFees ?? ''}`,
        ),
      };
      this.prepared.push(v);
      if (
        this.book.offerBlockers(pv.offer, { asOf: pv.startDate, pathways: pv.vacancy.pathways }).length ===
        pv.vacancy.pathways.length
      )
        continue;
      let group = groups.get(scorer.boundKey);
      if (!group) {
        group = {
          scorer,
          required: minimumLanguageTokens(pv.vacancy.requirements?.languages ?? []),
          members: [],
          cells: [],
          cellStarts: new Int32Array(0),
          lowestId: pv.vacancy.id,
        };
        groups.set(scorer.boundKey, group);
      }
      group.members.push(v);
      if (pv.vacancy.id < group.lowestId) group.lowestId = pv.vacancy.id;
      this.destinations.add(pv.vacancy.destination);
    }
    // Cells of one start date, set of pathways and kind of vacancy (for the WHO list), earliest first: a person's own
    // blockers and the safeguard list close or open a cell whole. Each cell's combination and kind are numbered, so
    // a trainee's answers are kept in two arrays (see `closedCombination`).
    this.startDates = [...new Set(this.prepared.map((v) => v.pv.startDate))].sort(compareIds);
    this.firstStart = this.startDates[0] ?? '';
    this.lastStart = this.startDates[this.startDates.length - 1] ?? '';
    const dateIndex = new Map(this.startDates.map((d, i) => [d, i]));
    for (const group of groups.values()) {
      const cells = new Map<string, Cell>();
      for (const v of group.members) {
        const key = `${v.pv.combination}#${v.pv.safeguardKind}`;
        let cell = cells.get(key);
        if (!cell) {
          cell = {
            startDate: v.pv.startDate,
            startIndex: dateIndex.get(v.pv.startDate)!,
            representative: v.pv,
            combination: numbered(this.combinations, v.pv.combination),
            kind: numbered(this.kinds, v.pv.safeguardKind),
            alike: [],
          };
          cells.set(key, cell);
        }
        // Members in id order (the group's), so each set of alike ones is too.
        const open = v.pv.vacancy.status === 'open' && v.capacity > 0;
        const alike = cell.alike.find((a) => a.evaluationClass === v.evaluationClass && a.open === open);
        if (alike) alike.members.push(v);
        else cell.alike.push({ evaluationClass: v.evaluationClass, open, representative: v, members: [v] });
      }
      group.cells = [...cells.values()].sort((a, b) => compareIds(a.startDate, b.startDate));
      group.cellStarts = Int32Array.from(group.cells, (c) => c.startIndex);
      // All featuresOf reads of a vacancy but the dates (experience): its occupation, destination and languages.
      const first = group.members[0]!.pv.vacancy;
      const bucketKey = `${first.isco08}|${first.destination}`;
      let bucket = this.buckets.get(bucketKey);
      if (!bucket) {
        bucket = [];
        this.buckets.set(bucketKey, bucket);
      }
      const requiredKey = [...group.required].sort().join(',');
      let languageClass = bucket.find((c) => c.key === requiredKey);
      if (!languageClass) {
        languageClass = { key: requiredKey, required: group.required, groups: [] };
        bucket.push(languageClass);
      }
      languageClass.groups.push(group);
    }
    this.byId = new Map(this.prepared.map((v) => [v.id, v]));
    this.closedCombination = new Float64Array(this.combinations.size);
    this.closedKind = new Float64Array(this.kinds.size);
    this.evaluatedAt = new Float64Array(this.evaluationClasses.size);
    this.evaluated = new Array(this.evaluationClasses.size).fill(undefined);
  }

  /**
   * Per combination and kind, the answer for the trainee being listed: `asking` (open) or `asking + 1` (closed),
   * where `asking` grows by two per trainee, so an answer left by an earlier trainee reads as not asked yet. Kept
   * across trainees: a fresh pair of arrays per trainee cost more than the answers in them.
   */
  private readonly closedCombination: Float64Array;
  private readonly closedKind: Float64Array;
  /** Per evaluation class, `asking` when the trainee being listed was evaluated for it, and the evaluation. */
  private readonly evaluatedAt: Float64Array;
  private readonly evaluated: (PairEvaluation | undefined)[];
  private asked = 0;

  private nextTrainee(): number {
    this.asked += 2;
    return this.asked;
  }

  /** The lists of one page of the cohort. `yieldEvery`: give the event loop a turn every 1,000 evaluations. */
  async forPage(page: CohortPage, yieldEvery = false): Promise<PageLists> {
    const result: PageLists = { lists: [], checks: 0, evaluations: 0, acceptable: 0 };
    for (const t of page.trainees) {
      if (t.placed || t.status !== 'active') continue;
      const statedList = t.stated;
      let listed: { v: PreparedRoundVacancy; score: number }[] = [];
      // Fewer found than the list length: nothing was passed over for want of room (the walk passes a vacancy over
      // only once the list is full), so the list holds every vacancy the trainee may take.
      let complete: boolean;
      if (statedList) {
        // In the trainee's own order; a vacancy they may not take (the rules, a hard filter, a place they
        // declined, not in this partnership) is left out, as an NRMP applicant cannot rank a programme that
        // cannot take them.
        for (const id of statedList) {
          if (listed.length >= this.listLength) break;
          const v = this.byId.get(id);
          if (!v || v.declinedBy?.has(t.id)) continue;
          const check = checkCandidate(this.book, t, v.pv, this.bridges, { reasons: false, manyVacancies: true });
          if (check.ok) listed.push({ v, score: v.scorer.score(check.candidate) });
        }
        complete = listed.length < this.listLength;
      } else {
        const isco = t.profile.occupation.isco08;
        const occupations = occupationsOpenTo(isco, this.bridges);
        const preferred = t.profile.preferences?.destinations ?? [];
        const earliest = t.profile.preferences?.earliestStart;
        // The first of the round's start dates the trainee is available for (cells are found by its position).
        const earliestIndex = earliest === undefined ? 0 : firstDateFrom(this.startDates, earliest);
        const levels = languageLevelTokens(t.profile.languages);
        const satisfiable = new Set(satisfiableLanguageTokens(levels));
        // What the bound reads of the trainee, once per set of groups that ask the same languages (see below).
        // Answers kept for this trainee are marked with `asking` (see `asked`).
        const asking = this.nextTrainee();
        const light = lightCandidate(t.id, isco, candidateLanguages(levels), t.profile.preferences);
        const reachable: { group: BoundGroup; bound: number; lowestId: string }[] = [];
        // Experience is counted once, as the most months any of the round's start dates counts (see
        // experienceMonthsWithin): at least what any vacancy's score counts, so every bound stays above its scores.
        // (Counting it per group's own dates gave bounds tighter by at most the months between them, and cost more
        // than the checks it saved.)
        let experience: MatchCandidate['experience'] | undefined;
        for (const occupation of occupations) {
          for (const destination of preferred.length > 0 ? preferred : this.destinations) {
            for (const languageClass of this.buckets.get(`${occupation}|${destination}`) ?? []) {
              if (!languageClass.required.every((token) => satisfiable.has(token))) continue;
              // Languages, destination and experience are read once for the class.
              const scorer = languageClass.groups[0]!.scorer;
              const common = scorer.featuresOf(light);
              experience ??= experienceMonthsWithin(t.profile.experience ?? [], this.firstStart, this.lastStart);
              const months = scorer.experienceMonths(experience);
              for (const group of languageClass.groups)
                reachable.push({ group, bound: group.scorer.upperBoundWith(common, months), lowestId: group.lowestId });
            }
          }
        }
        reachable.sort((a, b) => b.bound - a.bound);
        // The lowest vacancy id among the groups sharing a bound: on an equal score, a vacancy ranks by its id.
        for (let g = 0; g < reachable.length; ) {
          let h = g;
          let lowest = reachable[g]!.group.lowestId;
          while (h < reachable.length && reachable[h]!.bound === reachable[g]!.bound) {
            if (reachable[h]!.group.lowestId < lowest) lowest = reachable[h]!.group.lowestId;
            h++;
          }
          for (; g < h; g++) reachable[g]!.lowestId = lowest;
        }
        const { closedCombination, closedKind, evaluatedAt, evaluated } = this;
        // Groups by bound, best first, checked until nobody left can enter the list: the remaining vacancies
        // score at most this bound, and on an equal bound have an id no lower than the lowest one sharing it. A set
        // of alike vacancies whose first (lowest) id cannot enter on this bound is passed over whole.
        const edge = new ShortlistEdge(this.listLength);
        walk: for (const { group, bound, lowestId } of reachable) {
          if (edge.settled(bound, lowestId)) break;
          const cells = group.cells;
          for (
            let c = earliestIndex === 0 ? 0 : firstCellFrom(group.cellStarts, earliestIndex);
            c < cells.length;
            c++
          ) {
            const cell = cells[c]!;
            let closed = closedCombination[cell.combination]!;
            if (closed < asking) {
              closed = asking + (personClosesCombination(this.book, t, cell.representative) ? 1 : 0);
              closedCombination[cell.combination] = closed;
            }
            if (closed !== asking) continue;
            closed = closedKind[cell.kind]!;
            if (closed < asking) {
              closed = asking + (safeguardListCloses(t, cell.representative) ? 1 : 0);
              closedKind[cell.kind] = closed;
            }
            if (closed !== asking) continue;
            // Alike vacancies pass or fail together, with one score; within them (id order), once an id cannot
            // enter on that score, no later one can.
            for (const alike of cell.alike) {
              const first = alike.representative;
              if (!alike.open || edge.settled(bound, first.id)) continue;
              let evaluation: PairEvaluation | undefined;
              if (evaluatedAt[alike.evaluationClass] === asking) evaluation = evaluated[alike.evaluationClass];
              else {
                evaluation = roundPairEvaluation(this.book, t, first.pv);
                evaluated[alike.evaluationClass] = evaluation;
                evaluatedAt[alike.evaluationClass] = asking;
                result.evaluations++;
                if (result.evaluations % 1_000 === 0 && yieldEvery) await yieldToEventLoop();
              }
              result.checks++;
              if (evaluation === undefined || !roundPairPasses(evaluation, first.pv, first.scorer)) continue;
              const score = first.scorer.score(evaluation.candidate);
              for (const v of alike.members) {
                if (edge.settled(score, v.id)) break;
                if (v.declinedBy?.has(t.id)) continue;
                listed.push({ v, score });
                edge.offer(score, v.id);
              }
              if (edge.settled(bound, lowestId)) break walk;
            }
          }
        }
        result.acceptable += listed.length;
        complete = listed.length < this.listLength;
        listed.sort((a, b) => b.score - a.score || compareIds(a.v.id, b.v.id));
        listed = listed.slice(0, this.listLength);
      }
      if (statedList) result.acceptable += listed.length;
      result.lists.push({
        traineeId: t.id,
        vacancies: listed.map((l) => l.v.index),
        scores: listed.map((l) => l.score),
        complete,
      });
    }
    return result;
  }
}

/** Vacancies of one occupation and destination whose scores share an upper bound (same `boundKey`). */
interface BoundGroup {
  scorer: VacancyScorer;
  /** The group's required language:level tokens (see satisfiableLanguageTokens). */
  required: string[];
  members: PreparedRoundVacancy[];
  /** The members by start date and pathways, earliest first (each in id order). */
  cells: Cell[];
  /** Each cell's `startIndex`, in the same order: searched without reading the cells themselves. */
  cellStarts: Int32Array;
  /** The lowest member id. */
  lowestId: string;
}

/**
 * The groups of one occupation and destination that require the same languages: `VacancyScorer.featuresOf` reads
 * nothing else of a vacancy but its dates, so a trainee's features are computed once for all of them.
 */
interface LanguageClass {
  /** The required `language:level` tokens, sorted and joined. */
  key: string;
  required: string[];
  groups: BoundGroup[];
}

/**
 * A group's vacancies with one start date, set of accepted pathways and kind for the WHO list (see
 * `PreparedMatchVacancy.combination` and `.safeguardKind`), numbered per round.
 */
interface Cell {
  startDate: string;
  /** The start date's position among the round's (see RoundLists.startDates). */
  startIndex: number;
  /** Any one member: what the person's own blockers and the safeguard list are asked with. */
  representative: PreparedMatchVacancy;
  combination: number;
  kind: number;
  /** The members, in sets that every trainee's check and score treat alike. */
  alike: Alike[];
}

/**
 * A cell's vacancies of one evaluation class (`PreparedRoundVacancy.evaluationClass`), open with a place or not.
 * Everything else a check and a score read of a vacancy is the cell's, or its group's: occupation, destination,
 * required languages and experience, who pays what (`VacancyScorer.boundKey`), start date, pathways, sector and
 * partnership. So a trainee either passes every one of them with the same score, or none: one check and one score
 * each, and the members differ only in their ids and who declined them.
 */
interface Alike {
  evaluationClass: number;
  /** Open, with a place left: a vacancy that is not never passes the hard filters. */
  open: boolean;
  /** The first member: what the trainee is checked and scored against. */
  representative: PreparedRoundVacancy;
  /** In id order. */
  members: PreparedRoundVacancy[];
}

/** The first of a group's cells (by start date) starting on or after the round's start date at `startIndex`. */
function firstCellFrom(cellStarts: Int32Array, startIndex: number): number {
  let lo = 0;
  let hi = cellStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cellStarts[mid]! < startIndex) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The position of the first of `dates` (sorted) on or after `date`; `dates.length` when none is. */
function firstDateFrom(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid]! < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Code-unit order (locale-free), as every tie between ids breaks. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What `VacancyScorer.featuresOf` reads of a trainee, from their stored values: no rules evaluation. Experience is
 * left out: it is counted once per trainee (`VacancyScorer.experienceMonths`), as the most months any of the round's
 * start dates counts, so the bound stays above every score.
 */
function lightCandidate(
  id: string,
  isco08: string,
  languages: MatchCandidate['languages'],
  preferences: MatchCandidate['preferences'],
): MatchCandidate {
  return {
    traineeId: id,
    isco08,
    residence: '',
    languages,
    experience: [],
    ...(preferences ? { preferences } : {}),
    consentToMatch: true,
    pathways: [],
  };
}

/** The stored `language:level` tokens as a candidate's languages. */
function candidateLanguages(levels: readonly string[]): MatchCandidate['languages'] {
  return levels.map((token) => {
    const [language, cefr] = token.split(':') as [string, CefrLevelCode];
    return { language, cefr };
  });
}
