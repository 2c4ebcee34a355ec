import type { Actor, VacancyInput } from '@corridor/domain';
import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { VacancyTerms } from '../schema/index.ts';
import { minimumLanguageTokens } from '../trainee-row.ts';
import { pageById } from './cursor.ts';
import type { Executor } from './executor.ts';
import { vacancyVisibleTo } from './visibility.ts';

export interface VacancyWrite {
  id: string;
  external_ref: string | null;
  partnership_id: string | null;
  title: string;
  headcount: number;
  status: VacancyInput['status'];
  sector: string;
  isco08: string;
  destination: string;
  region: string | null;
  start_date: string | null;
  pathways: string[];
  required_languages: string[];
  terms: VacancyTerms;
  requirements: VacancyInput['requirements'];
  cost_sharing: VacancyInput['costSharing'];
}

export function vacancyWrite(v: VacancyInput, id: string = newId()): VacancyWrite {
  return {
    id,
    external_ref: v.externalRef ?? null,
    partnership_id: v.partnershipId ?? null,
    title: v.title,
    headcount: v.headcount,
    status: v.status,
    sector: v.sector,
    isco08: v.isco08,
    destination: v.destination,
    region: v.region ?? null,
    start_date: v.startDate ?? null,
    pathways: v.pathways,
    required_languages: minimumLanguageTokens(v.requirements.languages),
    terms: {
      national: v.national,
      region: v.region,
      salary: v.salary,
      hoursPerWeek: v.hoursPerWeek,
      contract: v.contract,
      sponsor: v.sponsor,
    },
    requirements: v.requirements,
    cost_sharing: v.costSharing,
  };
}

const MUTABLE = [
  'partnership_id',
  'title',
  'headcount',
  'status',
  'sector',
  'isco08',
  'destination',
  'region',
  'start_date',
  'pathways',
  'required_languages',
  'terms',
  'requirements',
  'cost_sharing',
] as const;
const RECORD_TYPE = sql.raw(`
  id uuid, employer_id uuid, external_ref text, partnership_id uuid, title text, headcount integer, status text,
  sector text, isco08 text, destination text, region text, start_date date, pathways text[], required_languages text[],
  terms jsonb, requirements jsonb, cost_sharing jsonb`);
const INSERT_COLUMNS = sql.raw(`id, employer_id, created_by_org_id, external_ref, ${MUTABLE.join(', ')}`);
const SELECT_REST = sql.raw(`r.external_ref, ${MUTABLE.map((c) => `r.${c}`).join(', ')}`);
const SET_CLAUSE = sql.raw(MUTABLE.map((c) => `${c} = excluded.${c}`).join(', '));
const CURRENT = sql.raw(`(${MUTABLE.map((c) => `v.${c}`).join(', ')})`);
const INCOMING = sql.raw(`(${MUTABLE.map((c) => `excluded.${c}`).join(', ')})`);

export interface VacancyUpsertOutcome {
  id: string;
  externalRef: string | null;
  change: 'created' | 'updated';
}

export const vacanciesRepository = {
  /** As traineesRepository.upsertMany: one statement per batch, events in the same statement, unchanged rows untouched. */
  async upsertMany(
    db: Executor,
    createdByOrgId: string,
    rows: readonly (VacancyWrite & { employer_id: string })[],
    source: 'api' | 'bulk',
  ): Promise<VacancyUpsertOutcome[]> {
    if (rows.length === 0) return [];
    const result = await sql<{ id: string; external_ref: string | null; inserted: boolean }>`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(${RECORD_TYPE})
      ),
      upserted AS (
        INSERT INTO vacancies AS v (${INSERT_COLUMNS})
        SELECT r.id, r.employer_id, ${createdByOrgId}::uuid, ${SELECT_REST} FROM input r
        ON CONFLICT (employer_id, external_ref) DO UPDATE
          SET ${SET_CLAUSE}, version = v.version + 1, updated_at = now()
          WHERE ${CURRENT} IS DISTINCT FROM ${INCOMING}
        RETURNING v.id, v.external_ref, (v.xmax = 0) AS inserted
      ),
      events AS (
        INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
        SELECT gen_random_uuid(), CASE WHEN inserted THEN 'vacancy.created' ELSE 'vacancy.updated' END, 'vacancy', id,
               jsonb_build_object('vacancyId', id, 'source', ${source}::text)
        FROM upserted
      )
      SELECT id, external_ref, inserted FROM upserted`.execute(db);
    return result.rows.map((r) => ({
      id: r.id,
      externalRef: r.external_ref,
      change: r.inserted ? 'created' : 'updated',
    }));
  },

  findVisible(db: Executor, actor: Actor, id: string) {
    return db
      .selectFrom('vacancies')
      .selectAll()
      .where('id', '=', id)
      .where(vacancyVisibleTo(actor))
      .executeTakeFirst();
  },

  findByExternalRef(db: Executor, employerId: string, externalRef: string) {
    return db
      .selectFrom('vacancies')
      .selectAll()
      .where('employer_id', '=', employerId)
      .where('external_ref', '=', externalRef)
      .executeTakeFirst();
  },

  async list(
    db: Executor,
    actor: Actor,
    filter: {
      status?: string | undefined;
      destination?: string | undefined;
      sector?: string | undefined;
      isco08?: string | undefined;
    },
    page: { limit: number; cursor?: string | undefined },
  ) {
    let q = db.selectFrom('vacancies').selectAll().where(vacancyVisibleTo(actor));
    if (filter.status) q = q.where('status', '=', filter.status as VacancyWrite['status']);
    if (filter.destination) q = q.where('destination', '=', filter.destination);
    if (filter.sector) q = q.where('sector', '=', filter.sector);
    if (filter.isco08) q = q.where('isco08', '=', filter.isco08);
    return pageById(page, (after, limit) =>
      (after ? q.where('id', '>', after) : q).orderBy('id').limit(limit).execute(),
    );
  },

  update(db: Executor, id: string, w: VacancyWrite, expectedVersion: number) {
    const { id: _id, external_ref: _x, ...values } = w;
    return db
      .updateTable('vacancies')
      .set({
        ...values,
        terms: JSON.stringify(values.terms),
        requirements: JSON.stringify(values.requirements),
        cost_sharing: JSON.stringify(values.cost_sharing),
        version: sql`version + 1`,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .returningAll()
      .executeTakeFirst();
  },
};
