import { createHash } from 'node:crypto';
import type { CohortListRow, RoundListBasis, StoredRoundList } from '@corridor/db';
import type { OccupationBridge } from '@corridor/matching';
import type { RuleBook } from '@corridor/rules';
import type { ListArrays } from './round-instance.ts';
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
  /**
   * The basis is the round's own vacancies (same ids in the same order, same versions) and rules: lists built now
   * are stored under it rather than under a new basis, so bases do not pile up while only trainees change.
   */
  same: boolean;
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
  const same = usable && changedIds.length === 0 && basis.vacancyIds.length === current.ids.length;
  return { usable, toRound, changed, changedIds, touched: new Set(), same };
}

/** What the round knows of places and decisions now. */
export interface RoundState {
  /** Places left, by the round's position. */
  capacity: Int32Array;
  /** The trainees who declined, or were declined for, each vacancy (by the round's position); absent: nobody. */
  declined: ReadonlyMap<number, ReadonlySet<string>>;
}

/**
 * Reads the trainee's stored list into `out` (the trainee's list was just opened there): `kept`, or `rebuild` (the
 * stored list does not hold: build and store it again) or `exact` (it holds, but was cut and lost an entry to a
 * full place or a declined pair: build this round's list from the placements). Either of the last two leaves the
 * trainee's list in `out` empty.
 */
export function readStoredList(
  row: CohortListRow,
  stated: readonly string[] | null,
  views: ReadonlyMap<number, BasisView>,
  state: RoundState,
  out: ListBuilder,
): 'kept' | 'rebuild' | 'exact' {
  if (row.basisId === 0 || row.traineeVersion !== row.version) return 'rebuild';
  const view = views.get(row.basisId);
  if (view === undefined || !view.usable || (view.touched.size > 0 && view.touched.has(row.id))) return 'rebuild';
  if (row.statedHash !== statedHash(stated)) return 'rebuild';
  const { buffer, entriesStart, entriesEnd, complete } = row;
  for (let at = entriesStart; at < entriesEnd; at += ENTRY_BYTES)
    if (view.changed[buffer.readUInt32LE(at)]) return 'rebuild';
  let dropped = false;
  for (let at = entriesStart; at < entriesEnd; at += ENTRY_BYTES) {
    const p = view.toRound[buffer.readUInt32LE(at)]!;
    if (p < 0) {
      // A cut list that lost a vacancy which closed is no longer the trainee's open list: the next would enter.
      if (!complete) {
        out.clearLast();
        return 'rebuild';
      }
      dropped = true;
    } else if (state.capacity[p]! <= 0 || state.declined.get(p)?.has(row.id)) dropped = true;
    else out.add(p, buffer.readDoubleLE(at + 4));
  }
  if (dropped && !complete) {
    out.clearLast();
    return 'exact';
  }
  return 'kept';
}

/** Lists appended trainee by trainee into growable typed arrays: no object per trainee (a million of them). */
export class ListBuilder {
  readonly traineeIds: string[] = [];
  private starts = new Int32Array(1 << 12);
  private vacancy = new Int32Array(1 << 14);
  private score = new Float64Array(1 << 14);
  private entries = 0;

  /** Starts the next trainee's list; returns the trainee's index. */
  open(traineeId: string): number {
    const t = this.traineeIds.length;
    if (t + 1 >= this.starts.length) this.starts = grown(this.starts, t + 2);
    this.starts[t] = this.entries;
    this.traineeIds.push(traineeId);
    return t;
  }

  add(vacancy: number, score: number): void {
    if (this.entries >= this.vacancy.length) {
      this.vacancy = grown(this.vacancy, this.entries + 1);
      this.score = grown(this.score, this.entries + 1);
    }
    this.vacancy[this.entries] = vacancy;
    this.score[this.entries++] = score;
  }

  /** Empties the last opened list. */
  clearLast(): void {
    this.entries = this.starts[this.traineeIds.length - 1]!;
  }

  /** The lists, with the ones built afterwards (by trainee index; their lists here are empty) in their places. */
  finish(later: ReadonlyMap<number, TraineeList>): ListArrays {
    const n = this.traineeIds.length;
    let total = this.entries;
    for (const list of later.values()) total += list.vacancies.length;
    const listStart = new Int32Array(n + 1);
    const listVacancy = new Int32Array(total);
    const listScore = new Float64Array(total);
    let k = 0;
    for (let t = 0; t < n; t++) {
      listStart[t] = k;
      const end = t + 1 < n ? this.starts[t + 1]! : this.entries;
      for (let e = this.starts[t]!; e < end; e++, k++) {
        listVacancy[k] = this.vacancy[e]!;
        listScore[k] = this.score[e]!;
      }
      const built = later.get(t);
      if (built)
        for (let j = 0; j < built.vacancies.length; j++, k++) {
          listVacancy[k] = built.vacancies[j]!;
          listScore[k] = built.scores[j]!;
        }
    }
    listStart[n] = k;
    return { traineeIds: this.traineeIds, listStart, listVacancy, listScore };
  }
}

function grown<A extends Int32Array | Float64Array>(array: A, atLeast: number): A {
  let size = array.length * 2;
  while (size < atLeast) size *= 2;
  const next = new (array.constructor as new (n: number) => A)(size);
  next.set(array);
  return next;
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
  basisId: number,
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
