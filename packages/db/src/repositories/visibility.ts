import type { Actor } from '@corridor/domain';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { DB } from '../schema/index.ts';

// Tenancy lives in the WHERE clause of every query: a row outside the caller's tenancy is simply not found,
// which the API answers with 404 so that nobody learns another tenant's object exists.

export function traineeVisibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<DB, 'trainees'>): Expression<SqlBool> => {
    switch (actor.type) {
      case 'platform_admin':
        return eb.lit(true);
      case 'trainee':
        return eb('trainees.id', '=', actor.traineeId);
      case 'organization':
        if (actor.organizationKind === 'partnership_admin') {
          return eb.or([
            eb('trainees.owner_org_id', '=', actor.organizationId),
            eb(
              'trainees.partnership_id',
              'in',
              eb
                .selectFrom('partnerships')
                .select('partnerships.id')
                .where('partnerships.admin_org_id', '=', actor.organizationId),
            ),
          ]);
        }
        return eb('trainees.owner_org_id', '=', actor.organizationId);
    }
  };
}

export function vacancyVisibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<DB, 'vacancies'>): Expression<SqlBool> => {
    switch (actor.type) {
      case 'platform_admin':
        return eb.lit(true);
      case 'trainee':
        return eb.lit(false);
      case 'organization':
        switch (actor.organizationKind) {
          case 'employer':
            return eb('vacancies.employer_id', '=', actor.organizationId);
          case 'recruitment_agency':
            return eb(
              'vacancies.employer_id',
              'in',
              eb
                .selectFrom('agency_mandates')
                .select('agency_mandates.employer_id')
                .where('agency_mandates.agency_id', '=', actor.organizationId),
            );
          case 'partnership_admin':
            return eb(
              'vacancies.partnership_id',
              'in',
              eb
                .selectFrom('partnerships')
                .select('partnerships.id')
                .where('partnerships.admin_org_id', '=', actor.organizationId),
            );
          case 'training_provider':
            return eb.lit(false);
        }
    }
  };
}

export function partnershipVisibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<DB, 'partnerships'>): Expression<SqlBool> => {
    switch (actor.type) {
      case 'platform_admin':
        return eb.lit(true);
      case 'trainee':
        return eb.lit(false);
      case 'organization':
        return eb.or([
          eb('partnerships.admin_org_id', '=', actor.organizationId),
          eb(
            'partnerships.id',
            'in',
            eb
              .selectFrom('partnership_members')
              .select('partnership_members.partnership_id')
              .where('partnership_members.organization_id', '=', actor.organizationId),
          ),
        ]);
    }
  };
}
