import type { OrganizationKind } from '@corridor/domain';
import { newId } from '../ids.ts';
import type { Executor } from './executor.ts';

export const organizationsRepository = {
  create(db: Executor, org: { name: string; kind: OrganizationKind; country: string }) {
    return db
      .insertInto('organizations')
      .values({ id: newId(), ...org })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  findById(db: Executor, id: string) {
    return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  addMandate(db: Executor, agencyId: string, employerId: string) {
    return db
      .insertInto('agency_mandates')
      .values({ agency_id: agencyId, employer_id: employerId })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  hasMandate(db: Executor, agencyId: string, employerId: string) {
    return db
      .selectFrom('agency_mandates')
      .select('employer_id')
      .where('agency_id', '=', agencyId)
      .where('employer_id', '=', employerId)
      .executeTakeFirst()
      .then((row) => row !== undefined);
  },

  listMandates(db: Executor, agencyId: string) {
    return db
      .selectFrom('agency_mandates')
      .innerJoin('organizations', 'organizations.id', 'agency_mandates.employer_id')
      .select(['organizations.id', 'organizations.name', 'organizations.country', 'agency_mandates.created_at'])
      .where('agency_mandates.agency_id', '=', agencyId)
      .orderBy('organizations.id')
      .execute();
  },
};
