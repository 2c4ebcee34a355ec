import { type Kysely, sql } from 'kysely';

// trainees.owner_org_id → organizations(id), checked once per statement instead of once per row (issue 2, bulk
// ingest). The foreign key ran its check query (`SELECT 1 FROM organizations WHERE id = $1 FOR KEY SHARE`) for
// every row a COPY inserted: ~3.8 µs of the Postgres backend's ~16.5 µs per imported profile, 2 s of a
// million-profile import. These triggers keep what the constraint guaranteed:
// - rows inserted (COPY, INSERT, the insert side of an upsert) must name an existing organization. The statement's
//   owners are locked FOR KEY SHARE, as the constraint locked them, so an organization cannot be deleted under an
//   import that has not committed yet; a missing owner fails the statement with SQLSTATE 23503
//   (foreign_key_violation) and the constraint's own message;
// - an update that changes a row's owner is checked the same way (row by row: nothing in the application does it);
// - an organization that trainees name cannot be deleted, nor its id changed (23503 as well), which is what the
//   constraint's NO ACTION did, and organizations cannot be truncated while there are trainees. Nothing in the
//   application deletes organizations.
// The partnership_id foreign key stays: it is NULL for most trainees and costs a fraction of this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION trainees_owner_exists() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      missing uuid;
    BEGIN
      PERFORM 1 FROM organizations o
        WHERE o.id IN (SELECT DISTINCT n.owner_org_id FROM trainee_rows n)
        ORDER BY o.id
        FOR KEY SHARE OF o;
      SELECT n.owner_org_id INTO missing FROM trainee_rows n
        WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = n.owner_org_id)
        LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "trainees" violates foreign key constraint "trainees_owner_org_id_fkey"'
          USING ERRCODE = 'foreign_key_violation',
                DETAIL = format('Key (owner_org_id)=(%s) is not present in table "organizations".', missing),
                TABLE = 'trainees', CONSTRAINT = 'trainees_owner_org_id_fkey';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION trainee_owner_exists() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM organizations o WHERE o.id = NEW.owner_org_id FOR KEY SHARE OF o;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "trainees" violates foreign key constraint "trainees_owner_org_id_fkey"'
          USING ERRCODE = 'foreign_key_violation',
                DETAIL = format('Key (owner_org_id)=(%s) is not present in table "organizations".', NEW.owner_org_id),
                TABLE = 'trainees', CONSTRAINT = 'trainees_owner_org_id_fkey';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION organization_has_no_trainees() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM trainees t WHERE t.owner_org_id = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "organizations" violates foreign key constraint "trainees_owner_org_id_fkey" on table "trainees"'
          USING ERRCODE = 'foreign_key_violation',
                DETAIL = format('Key (id)=(%s) is still referenced from table "trainees".', OLD.id),
                TABLE = 'organizations', CONSTRAINT = 'trainees_owner_org_id_fkey';
      END IF;
      RETURN OLD;
    END $$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION organizations_truncate_without_trainees() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM trainees) THEN
        RAISE EXCEPTION 'cannot truncate table "organizations": table "trainees" references it'
          USING ERRCODE = 'feature_not_supported';
      END IF;
      RETURN NULL;
    END $$`.execute(db);

  await sql`DROP TRIGGER IF EXISTS trainees_owner_exists ON trainees`.execute(db);
  await sql`
    CREATE TRIGGER trainees_owner_exists AFTER INSERT ON trainees
      REFERENCING NEW TABLE AS trainee_rows
      FOR EACH STATEMENT EXECUTE FUNCTION trainees_owner_exists()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS trainee_owner_changed ON trainees`.execute(db);
  await sql`
    CREATE TRIGGER trainee_owner_changed AFTER UPDATE OF owner_org_id ON trainees
      FOR EACH ROW WHEN (OLD.owner_org_id IS DISTINCT FROM NEW.owner_org_id)
      EXECUTE FUNCTION trainee_owner_exists()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS organization_has_no_trainees ON organizations`.execute(db);
  await sql`
    CREATE TRIGGER organization_has_no_trainees BEFORE DELETE OR UPDATE OF id ON organizations
      FOR EACH ROW EXECUTE FUNCTION organization_has_no_trainees()`.execute(db);
  await sql`DROP TRIGGER IF EXISTS organizations_truncate_without_trainees ON organizations`.execute(db);
  await sql`
    CREATE TRIGGER organizations_truncate_without_trainees BEFORE TRUNCATE ON organizations
      FOR EACH STATEMENT EXECUTE FUNCTION organizations_truncate_without_trainees()`.execute(db);
  await sql`ALTER TABLE trainees DROP CONSTRAINT IF EXISTS trainees_owner_org_id_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE trainees ADD CONSTRAINT trainees_owner_org_id_fkey
      FOREIGN KEY (owner_org_id) REFERENCES organizations(id)`.execute(db);
  await sql`DROP TRIGGER IF EXISTS trainees_owner_exists ON trainees`.execute(db);
  await sql`DROP TRIGGER IF EXISTS trainee_owner_changed ON trainees`.execute(db);
  await sql`DROP TRIGGER IF EXISTS organization_has_no_trainees ON organizations`.execute(db);
  await sql`DROP TRIGGER IF EXISTS organizations_truncate_without_trainees ON organizations`.execute(db);
  await sql`DROP FUNCTION IF EXISTS organizations_truncate_without_trainees()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS trainees_owner_exists()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS trainee_owner_exists()`.execute(db);
  await sql`DROP FUNCTION IF EXISTS organization_has_no_trainees()`.execute(db);
}
