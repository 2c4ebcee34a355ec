import { randomUUID } from 'node:crypto';
import { type Database, newId } from '@corridor/db';
import { sql } from 'kysely';

/**
 * `count` proposals over vacancies × trainees (distinct pairs), written as the matching job writes them: the
 * placement rows and one `placement.proposed` outbox event each. Returns the placement ids.
 */
export async function seedProposals(
  database: Database,
  vacancies: readonly string[],
  trainees: readonly string[],
  count: number,
): Promise<string[]> {
  if (count > vacancies.length * trainees.length) throw new Error('not enough distinct pairs');
  const rows = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    vacancy_id: vacancies[i % vacancies.length]!,
    trainee_id: trainees[Math.floor(i / vacancies.length)]!,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('placements')
        .values(
          chunk.map((r) => ({
            ...r,
            status: 'proposed' as const,
            below_skill: false,
            source: 'shortlist' as const,
            match_round_id: null,
            score: 0.75,
            rank: 1,
            breakdown: JSON.stringify([]),
            pathways: JSON.stringify([]),
            pack_versions: JSON.stringify({}),
            withdrawn_reason: null,
            employer_decision: null,
            trainee_decision: null,
          })),
        )
        .execute();
      await trx
        .insertInto('outbox')
        .values(
          chunk.map((r) => ({
            event_id: randomUUID(),
            type: 'placement.proposed',
            aggregate_type: 'placement',
            aggregate_id: r.id,
            payload: JSON.stringify({
              placementId: r.id,
              vacancyId: r.vacancy_id,
              traineeId: r.trainee_id,
              from: null,
              to: 'proposed',
              score: 0.75,
              rank: 1,
              source: 'shortlist',
            }),
          })),
        )
        .execute();
    });
  }
  return rows.map((r) => r.id);
}

/** Marks every outbox event relayed: the seeding's own events (trainee.created, …) must not start matching. */
export const skipOutbox = (database: Database) =>
  sql`UPDATE outbox SET relayed_at = now() WHERE relayed_at IS NULL`.execute(database.db);

export async function deliveryCounts(database: Database) {
  const rows = await database.db
    .selectFrom('notification_deliveries')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
}
