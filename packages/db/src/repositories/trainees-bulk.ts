import type { BulkSession } from '../bulk-session.ts';
import { copyTextArray, copyTextValue } from '../copy-text.ts';
import { outboxRepository } from './outbox.repository.ts';
import { type TraineeWrite, traineesRepository, type UpsertOutcome } from './trainees.repository.ts';

const COPY_STATEMENT = `COPY trainees (id, owner_org_id, external_ref, given_name, family_name, email, date_of_birth, nationality,
  residence, isco08, partnership_id, cohort, track, preferred_destinations, language_levels, earliest_start,
  consent_share_profile, consent_contact_email, profile, content_hash) FROM STDIN`;

function copyLine(ownerOrgId: string, w: TraineeWrite): string {
  return `${w.id}\t${ownerOrgId}\t${copyTextValue(w.external_ref)}\t${copyTextValue(w.given_name)}\t${copyTextValue(
    w.family_name,
  )}\t${copyTextValue(w.email)}\t${w.date_of_birth}\t${w.nationality}\t${copyTextValue(w.residence)}\t${w.isco08}\t${copyTextValue(
    w.partnership_id,
  )}\t${copyTextValue(w.cohort)}\t${copyTextValue(w.track)}\t${copyTextArray(w.preferred_destinations)}\t${copyTextArray(
    w.language_levels,
  )}\t${copyTextValue(w.earliest_start)}\t${w.consent_share_profile}\t${w.consent_contact_email}\t${copyTextValue(
    w.profile,
  )}\t${w.content_hash}\n`;
}

/**
 * Writes one batch of a bulk import: rows whose externalRef is new are inserted (by COPY on Postgres),
 * rows whose content changed are updated, identical rows are left alone. The batch gets one
 * `trainees.imported` outbox event listing the created and updated ids, which consumers process as a
 * batch; one event per row would double the rows a million-profile import writes.
 * Rows in one batch must have distinct externalRefs.
 */
export async function writeTraineeBatch(
  session: BulkSession,
  ownerOrgId: string,
  rows: readonly TraineeWrite[],
): Promise<UpsertOutcome[]> {
  await session.wrote('trainees', 0);
  const refs: string[] = [];
  for (const r of rows) if (r.external_ref !== null) refs.push(r.external_ref);
  const existing = refs.length > 0 ? await traineesRepository.existingByExternalRef(session.db, ownerOrgId, refs) : [];
  const byRef = new Map(existing.map((e) => [e.external_ref!, e]));

  const fresh: TraineeWrite[] = [];
  const changed: TraineeWrite[] = [];
  for (const r of rows) {
    const stored = r.external_ref === null ? undefined : byRef.get(r.external_ref);
    if (!stored) fresh.push(r);
    else if (stored.status === 'active' && stored.content_hash !== r.content_hash)
      changed.push({ ...r, id: stored.id });
  }

  const outcomes: UpsertOutcome[] = [];
  if (fresh.length > 0) {
    if (session.copy) {
      await session.copy(
        COPY_STATEMENT,
        (function* () {
          // ~256 KiB chunks: few enough writes to be cheap, small enough to keep memory flat.
          let chunk = '';
          for (const r of fresh) {
            chunk += copyLine(ownerOrgId, r);
            if (chunk.length > 262_144) {
              yield chunk;
              chunk = '';
            }
          }
          if (chunk) yield chunk;
        })(),
      );
      for (const r of fresh) outcomes.push({ id: r.id, externalRef: r.external_ref, change: 'created' });
    } else {
      outcomes.push(...(await traineesRepository.upsertMany(session.db, ownerOrgId, fresh, 'none')));
    }
  }
  if (changed.length > 0)
    outcomes.push(...(await traineesRepository.upsertMany(session.db, ownerOrgId, changed, 'none')));

  await session.wrote('trainees', outcomes.length);
  const created = outcomes.filter((o) => o.change === 'created').map((o) => o.id);
  const updated = outcomes.filter((o) => o.change === 'updated').map((o) => o.id);
  if (created.length + updated.length > 0) {
    await outboxRepository.append(session.db, [
      {
        type: 'trainees.imported',
        aggregateType: 'organization',
        aggregateId: ownerOrgId,
        payload: { created, updated },
      },
    ]);
  }
  return outcomes;
}
