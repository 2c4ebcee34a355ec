import { sql } from 'kysely';
import type { Executor } from './executor.ts';

export interface RulePackVersionWrite {
  id: string;
  pathwayId: string;
  version: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** The validated pack document. */
  pack: Record<string, unknown>;
  /** Who published it: the actor as text (the platform admin key has no id of its own). */
  publishedBy: string;
}

export const rulePacksRepository = {
  /**
   * Stores a published pack version and its `pathway.published` outbox event in one statement (so in the
   * caller's transaction): the re-evaluation job is routed from the event and never runs for a version
   * that did not commit. Returns undefined when the pathway already has this version.
   */
  async publish(db: Executor, w: RulePackVersionWrite) {
    const r = await sql<{ id: string; published_at: Date }>`
      WITH inserted AS (
        INSERT INTO rule_pack_versions (id, pathway_id, version, effective_from, effective_to, pack, published_by)
        VALUES (${w.id}, ${w.pathwayId}, ${w.version}, ${w.effectiveFrom}, ${w.effectiveTo},
                ${JSON.stringify(w.pack)}::jsonb, ${w.publishedBy})
        ON CONFLICT (pathway_id, version) DO NOTHING
        RETURNING id, published_at
      ),
      event AS (
        INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
        SELECT gen_random_uuid(), 'pathway.published', 'rule_pack_version', id,
               jsonb_build_object('pathwayId', ${w.pathwayId}::text, 'version', ${w.version}::text,
                                  'effectiveFrom', ${w.effectiveFrom}::text, 'effectiveTo', ${w.effectiveTo}::text)
        FROM inserted
      )
      SELECT id, published_at FROM inserted`.execute(db);
    return r.rows[0];
  },

  /** Every published version, in publish order (later publications supersede earlier ones). */
  listAll(db: Executor) {
    return db
      .selectFrom('rule_pack_versions')
      .select(['id', 'pathway_id', 'version', 'pack', 'published_by', 'published_at'])
      .orderBy('published_at')
      .orderBy('id')
      .execute();
  },

  find(db: Executor, pathwayId: string, version: string) {
    return db
      .selectFrom('rule_pack_versions')
      .select(['id', 'pathway_id', 'version', 'published_by', 'published_at'])
      .where('pathway_id', '=', pathwayId)
      .where('version', '=', version)
      .executeTakeFirst();
  },

  /** A cheap fingerprint of the published set: rule-book caches rebuild when it changes. */
  async stamp(db: Executor): Promise<string> {
    const r = await db
      .selectFrom('rule_pack_versions')
      .select([(eb) => eb.fn.countAll<string>().as('n'), sql<string | null>`max(published_at)::text`.as('last')])
      .executeTakeFirstOrThrow();
    return `${r.n}:${r.last ?? ''}`;
  },
};

/** The rule calendar's one row (see migration 0008). */
export const ruleCalendarRepository = {
  /**
   * Locks the calendar for one announcement run and returns the last day announced (undefined on a new install).
   * Call inside the transaction that writes the day's events and `advance`s: concurrent runs take turns, and the
   * second finds the days already announced.
   */
  async lock(trx: Executor): Promise<string | undefined> {
    const row = await trx
      .selectFrom('rule_calendar')
      .select(sql<string>`checked_through::text`.as('day'))
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirst();
    return row?.day;
  },

  advance(trx: Executor, day: string) {
    return trx
      .insertInto('rule_calendar')
      .values({ id: 1, checked_through: day })
      .onConflict((oc) => oc.column('id').doUpdateSet({ checked_through: day }))
      .execute()
      .then(() => undefined);
  },
};
