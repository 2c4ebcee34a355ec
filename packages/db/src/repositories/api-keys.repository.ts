import type { Executor } from './executor.ts';

export const apiKeysRepository = {
  create(
    db: Executor,
    key: {
      id: string;
      lookup: string;
      hash: Buffer;
      role: string;
      organizationId?: string;
      traineeId?: string;
      label?: string;
    },
  ) {
    return db
      .insertInto('api_keys')
      .values({
        id: key.id,
        lookup: key.lookup,
        hash: key.hash,
        role: key.role,
        organization_id: key.organizationId ?? null,
        trainee_id: key.traineeId ?? null,
        label: key.label ?? null,
      })
      .returning(['id', 'role', 'organization_id', 'trainee_id', 'created_at'])
      .executeTakeFirstOrThrow();
  },

  /** The key with its organization's kind, for authentication. Revoked keys and erased trainees are not found. */
  findActiveByLookup(db: Executor, lookup: string) {
    return db
      .selectFrom('api_keys')
      .leftJoin('organizations', 'organizations.id', 'api_keys.organization_id')
      .leftJoin('trainees', 'trainees.id', 'api_keys.trainee_id')
      .select([
        'api_keys.id',
        'api_keys.hash',
        'api_keys.role',
        'api_keys.organization_id',
        'api_keys.trainee_id',
        'organizations.kind as organization_kind',
        'trainees.status as trainee_status',
      ])
      .where('api_keys.lookup', '=', lookup)
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst();
  },

  deleteForTrainee(db: Executor, traineeId: string) {
    return db.deleteFrom('api_keys').where('trainee_id', '=', traineeId).execute();
  },
};
