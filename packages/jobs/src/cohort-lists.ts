import {
  type BulkSession,
  type CohortTrainee,
  type Executor,
  matchingRepository,
  roundListsRepository,
} from '@corridor/db';
import { type OccupationBridge, vacancyScorer } from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import { filledPlaces, prepareMatchVacancy, vacancyPrefilter } from './match-vacancy.ts';
import type { ListArrays } from './round-instance.ts';
import {
  type CohortPage,
  type PageLists,
  type RoundLists,
  RoundLists as RoundListsBuilder,
  type RoundPlacement,
  type RoundVacancyRow,
  type TraineeList,
} from './round-lists.ts';
import { RoundThreads } from './round-threads.ts';
import {
  type BasisView,
  basisView,
  filterList,
  ListBuilder,
  type RoundState,
  readStoredList,
  rulesKeyOf,
  statedHash,
  storedForm,
} from './stored-lists.ts';

/**
 * A cohort's lists for a round over the partnership's open vacancies: each trainee's stored list where it still holds
 * (see stored-lists.ts), built again where it does not, and stored. Lists are built page by page of the trainees
 * that need one, on worker threads beside this one when they are more than a page (see round-threads.ts); the round
 * reads only what tells whether a stored list holds, and profiles only for the lists it builds.
 */
export interface CohortListsInput {
  partnershipId: string;
  cohort: string;
  /** The partnership's open vacancies with a start date, in id order: the round's vacancies and their positions. */
  vacancies: readonly RoundVacancyBrief[];
  /** Their full rows, in the same order: read only when some list must be built. */
  rows: () => Promise<readonly RoundVacancyRow[]>;
  /** Their placements: places filled and pairs declined. */
  placements: readonly RoundPlacement[];
}

/** What a round reads first of each of its vacancies. */
export interface RoundVacancyBrief {
  id: string;
  version: number;
  headcount: number;
  partnership_g2g: boolean | null;
  partnership_origin: string | null;
}

/**
 * The full rows of `vacancies` (locked, or recorded by version), read once when first asked for; they must be the
 * same vacancies in the same order, since lists name vacancies by position.
 */
export function fullRows(trx: Executor, vacancies: readonly RoundVacancyBrief[]): () => Promise<RoundVacancyRow[]> {
  let rows: Promise<RoundVacancyRow[]> | undefined;
  return () =>
    (rows ??= matchingRepository
      .vacanciesByIds(
        trx,
        vacancies.map((v) => v.id),
      )
      .then((read) => {
        if (read.length !== vacancies.length || read.some((r, i) => r.id !== vacancies[i]!.id))
          throw new Error('a vacancy of the round was deleted while its lists were built; build them again');
        return read as RoundVacancyRow[];
      }));
}

export interface CohortListsOptions {
  bridges: readonly OccupationBridge[];
  listLength: number;
  /** Trainees read at a time. */
  pageSize: number;
  /** Worker threads beside this one (0: none). */
  threads: number;
  /** Wait for the threads to start before building, so that they are sure to take part (tests). */
  waitForThreads?: boolean | undefined;
  /** Build every list again, as if none were stored (the benchmark's cold rounds). Default: reuse. */
  ignoreStored?: boolean | undefined;
  /** A raw query on the transaction's connection with binary results: the stored lists are read without hex. */
  binaryQuery?: BulkSession['binaryQuery'] | undefined;
}

export interface CohortLists {
  /** In the cohort's order (id order); trainees already placed are left out. */
  lists: ListArrays;
  /** Places left, by the round's position. */
  capacity: Int32Array;
  work: ListWork;
}

export interface ListWork {
  /** Stored lists taken as they were. */
  reused: number;
  /** Lists built again (and stored). */
  built: number;
  /** Lists built from the placements because their stored list was cut and lost an entry (not stored). */
  exact: number;
  /** Exact pair checks and evaluations of the rules the built lists took (see `PageLists`). */
  checks: number;
  evaluations: number;
  /** Slices of trainees built (in all, on worker threads), and why the threads could not start, if they could not. */
  slices: number;
  slicesOnThreads: number;
  threadsFailed?: string;
  /**
   * Milliseconds spent reading the stored lists (their bases, who changed vacancies touch, the cohort's rows),
   * building the others and storing them.
   */
  ms: { read: number; build: number; store: number };
}

/** Milliseconds since the last call (or since it was made). */
export function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
}

/** More new or changed vacancies than this since a basis, and its lists are built again rather than asked about. */
export const MAX_CHANGED_VACANCIES = 16;
/** Trainees built at a time on one thread. */
const SLICE = 250;

export async function collectCohortLists(
  trx: Executor,
  book: RuleBook,
  input: CohortListsInput,
  options: CohortListsOptions,
): Promise<CohortLists> {
  const lap = stopwatch();
  const { vacancies, placements } = input;
  await roundListsRepository.withoutJit(trx);
  const listOptions = { bridges: options.bridges, listLength: options.listLength };
  const first = vacancies[0];
  const rulesKey = rulesKeyOf(
    book,
    { governmentToGovernment: first?.partnership_g2g ?? null, origin: first?.partnership_origin ?? null },
    listOptions,
  );
  const state = roundState(vacancies, placements);
  const current = { ids: vacancies.map((v) => v.id), versions: vacancies.map((v) => v.version) };

  // The bases of the stored lists, and who the vacancies new or changed since each could take at all.
  const views = new Map<number, BasisView>();
  if (!options.ignoreStored) {
    const prefiltered = new Map<string, readonly string[]>();
    for (const basis of await roundListsRepository.bases(trx, input.partnershipId)) {
      const view = basisView(basis, current, rulesKey, MAX_CHANGED_VACANCIES);
      views.set(basis.id, view);
      if (!view.usable || view.changedIds.length === 0) continue;
      const touched = new Set<string>();
      const unread = view.changedIds.filter((id) => !prefiltered.has(id));
      for (const row of (await matchingRepository.vacanciesByIds(trx, unread)) as RoundVacancyRow[])
        prefiltered.set(row.id, await whoCouldTake(trx, book, row, options.bridges));
      for (const id of view.changedIds) for (const t of prefiltered.get(id) ?? []) touched.add(t);
      view.touched = touched;
    }
  }

  // The cohort, with each trainee's stored list: kept, or marked to be built again (`rebuild`) or from the
  // placements (`exact`). Kept lists are read straight into arrays.
  const out = new ListBuilder();
  const rebuild: number[] = [];
  const exact: number[] = [];
  const work: ListWork = {
    reused: 0,
    built: 0,
    exact: 0,
    checks: 0,
    evaluations: 0,
    slices: 0,
    slicesOnThreads: 0,
    ms: { read: 0, build: 0, store: 0 },
  };
  const cohort = await roundListsRepository.cohortLists(trx, input.partnershipId, input.cohort, options.binaryQuery);
  for await (const page of cohort.pages) {
    for (let row = page.next(); row !== undefined; row = page.next()) {
      // (Most cohorts have nobody placed and no stated order: no lookups then.)
      if (cohort.placed.size > 0 && cohort.placed.has(row.id)) continue;
      const t = out.open(row.id);
      const stated = cohort.stated.size > 0 ? (cohort.stated.get(row.id) ?? null) : null;
      const verdict = options.ignoreStored ? 'rebuild' : readStoredList(row, stated, views, state, out);
      if (verdict === 'kept') {
        work.reused++;
        continue;
      }
      (verdict === 'rebuild' ? rebuild : exact).push(t);
    }
  }
  work.ms.read = lap();
  const traineeIds = out.traineeIds;
  /** Lists built here, by trainee index. */
  const later = new Map<number, TraineeList>();

  // Lists built again, in their open form (no placements: see stored-lists.ts), on threads when they are many.
  const slotOf = new Map<string, number>();
  const built: { list: TraineeList; version: number; stated: string | null }[] = [];
  if (rebuild.length > 0) {
    let ownBuilder: RoundLists | undefined;
    const vacancyRows = await input.rows();
    const openBuilder = (): RoundLists => (ownBuilder ??= new RoundListsBuilder(book, vacancyRows, [], listOptions));
    let threads: RoundThreads | undefined;
    let starting: Promise<void> | undefined;
    const pages: Promise<PageLists>[] = [];
    const versions = new Map<string, { version: number; stated: string | null }>();
    for (const slot of rebuild) slotOf.set(traineeIds[slot]!, slot);
    // The profiles of the trainees whose lists are built, a page at a time: by id when they are few, else the
    // cohort's streamed in id order (a million looked up by id, 2,000 a query, took minutes).
    async function* toBuild(): AsyncGenerator<(CohortTrainee & { version: number })[]> {
      if (rebuild.length <= traineeIds.length / 2) {
        for (let from = 0; from < rebuild.length; from += options.pageSize)
          yield await cohortTrainees(
            trx,
            rebuild.slice(from, from + options.pageSize).map((slot) => traineeIds[slot]!),
            cohort.stated,
          );
        return;
      }
      for await (const rows of roundListsRepository.cohortProfiles(
        trx,
        input.partnershipId,
        input.cohort,
        options.pageSize,
      ))
        yield rows
          .filter((row) => slotOf.has(row.id))
          .map((row) => ({ ...row, placed: false, stated: cohort.stated.get(row.id) ?? null }));
    }
    try {
      for await (const trainees of toBuild()) {
        for (const t of trainees) versions.set(t.id, { version: t.version, stated: statedHash(t.stated) });
        // Threads start once more than a page needs building (a few lists are not worth their start-up), in the
        // background: this thread builds slices until they are ready. If they cannot start, it builds them all.
        if (starting === undefined && options.threads > 0 && rebuild.length > options.pageSize) {
          starting = RoundThreads.start(options.threads, {
            packs: book.packs(),
            vacancyRows,
            placements: [],
            options: listOptions,
          }).then(
            (started) => {
              threads = started;
            },
            (error: unknown) => {
              work.threadsFailed = error instanceof Error ? error.message : String(error);
            },
          );
          if (options.waitForThreads) await starting;
        }
        for (let i = 0; i < trainees.length; i += SLICE) {
          const cohort: CohortPage = { trainees: trainees.slice(i, i + SLICE) };
          // A thread's reply is a message: let it in before asking whether a thread is free.
          await yieldToEventLoop();
          if (threads?.available) {
            pages.push(threads.run(pages.length, cohort));
            work.slicesOnThreads++;
          } else pages.push(Promise.resolve(await openBuilder().forPage(cohort, true)));
        }
      }
      // Not Promise.all: a failed slice must not leave the others' rejections unheard.
      const settled = await Promise.allSettled(pages);
      const failed = settled.find((p) => p.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    } finally {
      await starting;
      await threads?.close();
    }
    work.slices = pages.length;
    for (const page of pages) {
      const result = await page;
      work.checks += result.checks;
      work.evaluations += result.evaluations;
      for (const list of result.lists) {
        const basis = versions.get(list.traineeId)!;
        built.push({ list, version: basis.version, stated: basis.stated });
        const slot = slotOf.get(list.traineeId)!;
        const filtered = filterList(list.traineeId, list.vacancies, list.scores, list.complete, state);
        if (filtered === 'exact') exact.push(slot);
        else later.set(slot, filtered);
      }
    }
    work.built = built.length;
  }

  // Lists cut at the list length that lost a vacancy to a full place or a declined pair: built from the placements,
  // as the round would have built them with no stored lists.
  if (exact.length > 0) {
    exact.sort((a, b) => a - b);
    const builder = new RoundListsBuilder(book, await input.rows(), placements, listOptions);
    const exactSlot = new Map<string, number>();
    for (let from = 0; from < exact.length; from += options.pageSize) {
      const ids = exact.slice(from, from + options.pageSize).map((slot) => {
        exactSlot.set(traineeIds[slot]!, slot);
        return traineeIds[slot]!;
      });
      const trainees = await cohortTrainees(trx, ids, cohort.stated);
      for (let i = 0; i < trainees.length; i += SLICE) {
        const result = await builder.forPage({ trainees: trainees.slice(i, i + SLICE) }, true);
        work.checks += result.checks;
        work.evaluations += result.evaluations;
        work.exact += result.lists.length;
        for (const list of result.lists) later.set(exactSlot.get(list.traineeId)!, list);
      }
    }
  }

  work.ms.build = lap();
  if (built.length > 0) {
    const same = [...views].find(([, view]) => view.same)?.[0];
    const basisId =
      same ??
      (await roundListsRepository.createBasis(trx, {
        partnershipId: input.partnershipId,
        rulesKey,
        vacancyIds: current.ids,
        vacancyVersions: current.versions,
      }));
    await roundListsRepository.store(
      trx,
      built.map((b) => storedForm(b.list, basisId, b.version, b.stated)),
    );
    await roundListsRepository.pruneBases(trx, input.partnershipId);
  }

  work.ms.store = lap();
  // A trainee whose list was to be built but who left the cohort meanwhile (erased) keeps an empty list.
  return { lists: out.finish(later), capacity: state.capacity, work };
}

/** Trainees whose lists are built, as the cohort's pages give them (none of them holds a place). */
async function cohortTrainees(
  trx: Executor,
  ids: readonly string[],
  statedBy: ReadonlyMap<string, string[]>,
): Promise<(CohortTrainee & { version: number })[]> {
  const rows = await roundListsRepository.traineesWithVersions(trx, ids);
  return rows.map((row) => ({ ...row, placed: false, stated: statedBy.get(row.id) ?? null }));
}

/** Places left and declined pairs, by the round's position, as `RoundLists` counts them from the placements. */
function roundState(vacancies: readonly RoundVacancyBrief[], placements: readonly RoundPlacement[]): RoundState {
  const byVacancy = new Map<string, RoundPlacement[]>();
  for (const p of placements) {
    const list = byVacancy.get(p.vacancy_id);
    if (list) list.push(p);
    else byVacancy.set(p.vacancy_id, [p]);
  }
  const capacity = new Int32Array(vacancies.length);
  const declined = new Map<number, Set<string>>();
  vacancies.forEach((row, i) => {
    const held = byVacancy.get(row.id) ?? [];
    capacity[i] = Math.max(0, row.headcount - filledPlaces(held));
    const out = held.filter((p) => p.status === 'declined').map((p) => p.trainee_id);
    if (out.length > 0) declined.set(i, new Set(out));
  });
  return { capacity, declined };
}

/**
 * Everyone a vacancy could take at all: its SQL prefilter (which lets through everyone its exact check could pass),
 * or nobody when its offer closes every pathway it accepts.
 */
async function whoCouldTake(
  trx: Executor,
  book: RuleBook,
  row: RoundVacancyRow,
  bridges: readonly OccupationBridge[],
): Promise<string[]> {
  const pv = prepareMatchVacancy(row, 0);
  if (!pv) return [];
  const closed = book.offerBlockers(pv.offer, { asOf: pv.startDate, pathways: pv.vacancy.pathways });
  if (closed.length === pv.vacancy.pathways.length) return [];
  const scorer = vacancyScorer(pv.vacancy, { bridges });
  const survivors = await matchingRepository.prefilterForVacancy(trx, vacancyPrefilter(pv, scorer, bridges));
  return survivors.map((s) => s.id);
}
