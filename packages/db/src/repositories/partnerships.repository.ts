import type { Actor, PartnershipInput } from '@corridor/domain';
import { newId } from '../ids.ts';
import type { Executor } from './executor.ts';
import { partnershipVisibleTo } from './visibility.ts';

export const partnershipsRepository = {
  async create(db: Executor, input: PartnershipInput, adminOrgId: string | null) {
    const partnership = await db
      .insertInto('partnerships')
      .values({
        id: newId(),
        name: input.name,
        origin: input.origin,
        destination: input.destination,
        sectors: input.sectors,
        occupations: input.occupations,
        model: input.model,
        government_to_government: input.governmentToGovernment,
        admin_org_id: adminOrgId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.members.length > 0) {
      await db
        .insertInto('partnership_members')
        .values(
          input.members.map((m) => ({
            partnership_id: partnership.id,
            organization_id: m.organizationId,
            role: m.role,
          })),
        )
        .execute();
    }
    return partnership;
  },

  findVisible(db: Executor, actor: Actor, id: string) {
    return db
      .selectFrom('partnerships')
      .selectAll()
      .where('id', '=', id)
      .where(partnershipVisibleTo(actor))
      .executeTakeFirst();
  },

  members(db: Executor, partnershipId: string) {
    return db
      .selectFrom('partnership_members')
      .select(['organization_id', 'role'])
      .where('partnership_id', '=', partnershipId)
      .orderBy('organization_id')
      .execute();
  },

  cohorts(db: Executor, partnershipId: string) {
    return db
      .selectFrom('cohorts')
      .selectAll()
      .where('partnership_id', '=', partnershipId)
      .orderBy('start_date')
      .execute();
  },

  addCohort(db: Executor, partnershipId: string, cohort: { name: string; startDate: string; tracks: string[] }) {
    return db
      .insertInto('cohorts')
      .values({
        id: newId(),
        partnership_id: partnershipId,
        name: cohort.name,
        start_date: cohort.startDate,
        tracks: cohort.tracks,
      })
      .onConflict((oc) => oc.columns(['partnership_id', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
  },
};
