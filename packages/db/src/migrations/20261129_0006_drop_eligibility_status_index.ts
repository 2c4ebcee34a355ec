import { type Kysely, sql } from 'kysely';

// Drop eligibility_results_pathway_status_idx (issue 3, re-evaluation at a million trainees).
// Nothing reads it: matching asks for one trainee's rows (`trainee_id = … AND pathway_id = ANY(…) AND status = …`),
// which the primary key (trainee_id, pathway_id) serves, and the one query written for it (counts per status for
// a pathway) had no caller and is removed with it. Every stored row paid for it: one more index entry per row
// COPYed in a full recompute (21 rows per trainee), and a status flip could not be a HOT update (status was an
// indexed column), so each flip wrote new entries in both indexes. EXPLAIN on a replica (200,000 trainees × 21
// pathways) of the re-evaluation page, the matching prefilter and the stored-range read: primary keys only.
// Its effect on pnpm bench reevaluation is not measured yet.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS eligibility_results_pathway_status_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS eligibility_results_pathway_status_idx ON eligibility_results (pathway_id, status)`.execute(
    db,
  );
}
