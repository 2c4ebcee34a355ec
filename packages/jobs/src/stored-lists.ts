import { createHash } from 'node:crypto';
import type { CohortListRow, RoundListBasis, StoredRoundList } from '@corridor/db';
import type { OccupationBridge } from '@corridor/matching';
import type { RuleBook } from '@corridor/rules';
import type { TraineeList } from './round-lists.ts';

/**
 * When a stored round list still holds, and what a round reads of it. Pure: no I/O.
 *
 * A list is stored in its "open" form: built over every open vacancy of the partnership as if none were full and
 * nobody had declined anything (`RoundLists` given no placements), with `complete` saying whether it holds every
 * vacancy the trainee may take or was cut at the list length. It names vacancies by their position in its basis
 * (the partnership's open vacancies, with their versions, and the rules it was built under).
 *
 * A round takes a stored list as the trainee's when:
 * - the rules key is the round's (the rule book's packs, the bridges, the list length, the partnership's terms);
 * - the trainee's version is the one it was built from, and so is the hash of the order they stated;
 * - no vacancy it lists has changed since (a new version), and the trainee is not among the people any vacancy that
 *   is new or changed since could take at all (its SQL prefilter, which lets through everyone its exact check
 *   could pass: see `BasisView.touched`). A vacancy the trainee could never take cannot change their list; one they
 *   could is either in it, or could enter it.
 *
 * It then drops the entries of vacancies that closed, are full now, or whose pair was declined. A list that held
 * every vacancy the trainee may take stays exact after that (it is the trainee's whole order, less what is gone);
 * one cut at the list length that lost an entry is not (the next vacancy would have entered): if a vacancy closed,
 * its open form changed, and it is built and stored again; if a place filled or a pair was declined, the round
 * builds this round's list from the placements and keeps the stored one (both are the round's state, not the
 * list's).
 */

/** Bytes per entry: the vacancy's position in the basis (uint32) and the score (float64). */
const ENTRY_BYTES = 12;

export function encodeEntries(positions: readonly number[], scores: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(positions.length * ENTRY_BYTES);
  for (let i = 0; i < positions.length; i++) {
    buffer.writeUInt32LE(positions[i]!, i * ENTRY_BYTES);
    buffer.writeDoubleLE(scores[i]!, i * ENTRY_BYTES + 4);
  }
  return buffer;
}

export function decodeEntries(entries: Buffer): { positions: number[]; scores: number[] } {
  const n = entries.length / ENTRY_BYTES;
  const positions: number[] = new Array(n);
  const scores: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    positions[i] = entries.readUInt32LE(i * ENTRY_BYTES);
    scores[i] = entries.readDoubleLE(i * ENTRY_BYTES + 4);
  }
  return { positions, scores };
}

const packDigests = new WeakMap<RuleBook, string>();

/**
 * Everything besides the people and the vacancies that a list is built from: the rule book (every pack of every
 * version, by content: a pack edited without a new version still changes the key), the occupation bridges, the
 * list length, and the partnership's terms that the WHO safeguard list reads (G2G, origin).
 */
export function rulesKeyOf(
  book: RuleBook,
  partnership: { governmentToGovernment: boolean | null; origin: string | null },
  options: { bridges: readonly OccupationBridge[]; listLength: number },
): string {
  let packs = packDigests.get(book);
  if (packs === undefined) {
    const hash = createHash('sha256');
    for (const pack of book.packs()) hash.update(JSON.stringify(pack)).update('\n');
    packs = hash.digest('hex');
    packDigests.set(book, packs);
  }
  return createHash('sha256')
    .update(
      JSON.stringify({
        packs,
        bridges: options.bridges,
        listLength: options.listLength,
        g2g: partnership.governmentToGovernment === true,
        origin: partnership.origin?.trim() ?? null,
      }),
    )
    .digest('hex');
}

/** The stated order's hash (null: none stated), so a list built from another order is told apart. */
export function statedHash(stated: readonly string[] | null): string | null {
  return stated === null ? null : createHash('sha256').update(stated.join(',')).digest('hex').slice(0, 32);
}

/** The round's open vacancies, in its order (id order): ids and versions. */
export interface CurrentVacancies {
  ids: readonly string[];
  versions: readonly number[];
}

/** A basis seen from the round: which of its vacancies are still open, where, and which changed. */
export interface BasisView {
  /** False when the rules differ, or when too many vacancies changed to ask who they touch: every list rebuilds. */
  usable: boolean;
  /** Basis position → the round's position, or -1 when the vacancy is no longer open. */
  toRound: Int32Array;
  /** Basis positions whose vacancy has a new version. */
  changed: Uint8Array;
  /** The round's vacancies that are new or changed since the basis (in the round's order). */
  changedIds: string[];
  /** The people those vacancies' prefilters let through (set by the caller before lists are read). */
  touched: ReadonlySet<string>;
}

export function basisView(
  basis: RoundListBasis,
  current: CurrentVacancies,
  rulesKey: string,
  maxChanged: number,
): BasisView {
  const roundPosition = new Map<string, number>();
  current.ids.forEach((id, i) => {
    roundPosition.set(id, i);
  });
  const toRound = new Int32Array(basis.vacancyIds.length).fill(-1);
  const changed = new Uint8Array(basis.vacancyIds.length);
  const seen = new Uint8Array(current.ids.length);
  for (let b = 0; b < basis.vacancyIds.length; b++) {
    const position = roundPosition.get(basis.vacancyIds[b]!);
    if (position === undefined) continue;
    toRound[b] = position;
    seen[position] = 1;
    if (current.versions[position] !== basis.vacancyVersions[b]) changed[b] = 1;
  }
  const changedIds: string[] = [];
  for (let i = 0; i < current.ids.length; i++) if (!seen[i]) changedIds.push(current.ids[i]!);
  for (let b = 0; b < changed.length; b++) if (changed[b]) changedIds.push(basis.vacancyIds[b]!);
  const usable = basis.rulesKey === rulesKey && changedIds.length <= maxChanged;
  return { usable, toRound, changed, changedIds, touched: new Set() };
}

/** What the round knows of places and decisions now. */
export interface RoundState {
  /** Places left, by the round's position. */
  capacity: Int32Array;
  /** The trainees who declined, or were declined for, each vacancy (by the round's position); absent: nobody. */
  declined: ReadonlyMap<number, ReadonlySet<string>>;
}

/**
 * The trainee's list for the round from their stored one: a `TraineeList`, or `rebuild` (the stored list does not
 * hold: build and store it again) or `exact` (it holds, but was cut and lost an entry: build this round's list
 * from the placements).
 */
export function readStoredList(
  row: CohortListRow,
  views: ReadonlyMap<string, BasisView>,
  state: RoundState,
): TraineeList | 'rebuild' | 'exact' {
  const list = row.list;
  if (list === null || list.traineeVersion !== row.version) return 'rebuild';
  const view = views.get(list.basisId);
  if (view === undefined || !view.usable || view.touched.has(row.id)) return 'rebuild';
  if (list.statedHash !== statedHash(row.stated)) return 'rebuild';
  const { positions, scores } = decodeEntries(list.entries);
  for (const p of positions) if (view.changed[p]) return 'rebuild';
  const round = positions.map((p) => view.toRound[p]!);
  // A cut list that lost a vacancy which closed is no longer the trainee's open list: the next one would enter.
  if (!list.complete && round.some((p) => p < 0)) return 'rebuild';
  return filterList(row.id, round, scores, list.complete, state);
}

/**
 * An open-form list (positions in the round's order; -1: no longer open) for this round: closed, full and declined
 * vacancies dropped, or `exact` when the list was cut and lost one.
 */
export function filterList(
  traineeId: string,
  positions: readonly number[],
  scores: readonly number[],
  complete: boolean,
  state: RoundState,
): TraineeList | 'exact' {
  const vacancies: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    if (p < 0 || state.capacity[p]! <= 0 || state.declined.get(p)?.has(traineeId)) continue;
    vacancies.push(p);
    kept.push(scores[i]!);
  }
  if (vacancies.length < positions.length && !complete) return 'exact';
  return { traineeId, vacancies, scores: kept, complete };
}

/** A list in the form it is stored, for `roundListsRepository.store`. */
export function storedForm(
  list: TraineeList,
  basisId: string,
  traineeVersion: number,
  stated: string | null,
): { traineeId: string } & StoredRoundList {
  return {
    traineeId: list.traineeId,
    basisId,
    traineeVersion,
    statedHash: stated,
    entries: encodeEntries(list.vacancies, list.scores),
    complete: list.complete,
  };
}
