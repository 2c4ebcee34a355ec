import { type Executor, rulePacksRepository } from '@corridor/db';
import { createRuleBook, type RuleBook, type RulePack, RulePackSchema, shippedPacks } from '@corridor/rules';

/** YYYY-MM-DD shifted by whole days (UTC calendar arithmetic; no time zones involved). */
export function addDays(date: string, days: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Lays published versions over the shipped packs, in publish order. A published version supersedes whatever
 * was in force for its pathway from its `effectiveFrom` to its `effectiveTo`: an earlier version that overlaps
 * the window is cut to end the day before (and, if it ran past the window, resumes the day after); versions
 * wholly inside the window are dropped. The result never overlaps, which `createRuleBook` requires.
 */
export function composePacks(base: readonly RulePack[], published: readonly RulePack[]): RulePack[] {
  let packs = [...base];
  for (const next of published) {
    const from = next.effectiveFrom;
    const to = next.effectiveTo;
    const out: RulePack[] = [];
    for (const p of packs) {
      if (p.id !== next.id) {
        out.push(p);
        continue;
      }
      const endsBefore = p.effectiveTo !== null && p.effectiveTo < from;
      const startsAfter = to !== null && p.effectiveFrom > to;
      if (endsBefore || startsAfter) {
        out.push(p);
        continue;
      }
      if (p.effectiveFrom < from) out.push({ ...p, effectiveTo: addDays(from, -1) });
      // p starts on or before `to` here (else it was kept above), so the part after the window starts the day after.
      if (to !== null && (p.effectiveTo === null || p.effectiveTo > to))
        out.push({ ...p, effectiveFrom: addDays(to, 1) });
    }
    out.push(next);
    packs = out;
  }
  return packs;
}

/** Thrown when a stored pack no longer passes the schema (a rules-package upgrade broke it): fix before serving. */
export class StoredPackInvalidError extends Error {
  override name = 'StoredPackInvalidError';
}

/** The rule book in force: the shipped packs plus every published version, superseding as `composePacks` says. */
export async function loadRuleBook(db: Executor): Promise<RuleBook> {
  const rows = await rulePacksRepository.listAll(db);
  const published = rows.map((row) => {
    const parsed = RulePackSchema.safeParse(row.pack);
    if (!parsed.success)
      throw new StoredPackInvalidError(`published pack ${row.pathway_id} ${row.version} no longer validates`);
    return parsed.data;
  });
  return createRuleBook(composePacks(shippedPacks(), published));
}

/** Where callers get the current rule book: cached, and rebuilt when a version is published. */
export interface RuleBookSource {
  current(): Promise<RuleBook>;
  /** Drop the cache now (this process just published). */
  invalidate(): void;
}

/** A fixed rule book (tests, benchmarks, the CLI). */
export function staticRuleBookSource(book: RuleBook): RuleBookSource {
  return { current: () => Promise.resolve(book), invalidate: () => {} };
}

/**
 * Shipped packs plus published versions from the database. Other processes' publications are noticed within
 * `recheckMs` (one tiny query); this process's own are seen at once through `invalidate()`.
 */
export function databaseRuleBookSource(db: Executor, options: { recheckMs?: number } = {}): RuleBookSource {
  const recheckMs = options.recheckMs ?? 5_000;
  let cached: { book: RuleBook; stamp: string; checkedAt: number } | undefined;
  let building: Promise<RuleBook> | undefined;
  // Bumped by invalidate(): a rebuild that started before a publish committed must not count as fresh.
  let generation = 0;
  const rebuild = async (): Promise<RuleBook> => {
    const started = generation;
    const checkedAt = Date.now();
    const stamp = await rulePacksRepository.stamp(db);
    const book = cached && cached.stamp === stamp ? cached.book : await loadRuleBook(db);
    cached = { book, stamp, checkedAt: started === generation ? checkedAt : Number.NEGATIVE_INFINITY };
    return book;
  };
  return {
    current() {
      if (cached && Date.now() - cached.checkedAt < recheckMs) return Promise.resolve(cached.book);
      // While the database is unreachable, the last rule book read stays in use (checked again on the next call):
      // the public eligibility check and the pathway list need no database otherwise.
      building ??= rebuild()
        .catch((err: unknown) => {
          if (cached) return cached.book;
          throw err;
        })
        .finally(() => {
          building = undefined;
        });
      return building;
    },
    invalidate() {
      generation++;
      building = undefined;
      if (cached) cached.checkedAt = Number.NEGATIVE_INFINITY;
    },
  };
}

/**
 * Pathways whose version in force on `date` differs from the day before: what a daily scheduler re-evaluates
 * (`eligibility.reevaluate` with `toVersion`), so that dated versions, shipped or published ahead, take effect.
 */
export function versionsTakingEffect(
  book: RuleBook,
  date: string,
): { pathwayId: string; fromVersion: string | null; toVersion: string | null }[] {
  const before = new Map(book.list(addDays(date, -1)).map((s) => [s.id, s.version]));
  const after = new Map(book.list(date).map((s) => [s.id, s.version]));
  const out: { pathwayId: string; fromVersion: string | null; toVersion: string | null }[] = [];
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const from = before.get(id) ?? null;
    const to = after.get(id) ?? null;
    if (from !== to) out.push({ pathwayId: id, fromVersion: from, toVersion: to });
  }
  return out.sort((a, b) => (a.pathwayId < b.pathwayId ? -1 : 1));
}
