import { hash } from 'node:crypto';
import type { TraineeProfile } from '@corridor/domain';
import type { BulkSession } from '../bulk-session.ts';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyBinaryWriter } from '../copy-binary.ts';
import { newId } from '../ids.ts';
import { languageLevelTokens, storedProfile } from '../trainee-row.ts';
import { outboxRepository } from './outbox.repository.ts';
import { contentHashTail, type TraineeWrite, traineesRepository, traineeWrite } from './trainees.repository.ts';

const COLUMNS = `id, owner_org_id, external_ref, given_name, family_name, email, date_of_birth, nationality,
  residence, isco08, partnership_id, cohort, track, preferred_destinations, language_levels, earliest_start,
  consent_share_profile, consent_contact_email, profile, content_hash`;
const COLUMN_COUNT = 20;
const COPY_STATEMENT = `COPY trainees (${COLUMNS}) FROM STDIN (FORMAT binary)`;

/**
 * A batch of validated trainees ready to store, as plain data so that a worker thread can build it and hand it
 * over without copying the bytes. Row i has ids[i], refs[i] and hashes[i]; with COPY (Postgres) its encoded
 * bytes are copy[ends[i-1]..ends[i]), otherwise (PGlite) it is writes[i].
 */
export interface TraineeBatch {
  ids: string[];
  refs: (string | null)[];
  hashes: string[];
  /** Rows replaced by a later row with the same externalRef in this batch: counted, not stored. */
  superseded: number[];
  copy?: Uint8Array;
  ends?: Uint32Array;
  writes?: TraineeWrite[];
}

export interface BatchOutcome {
  created: number;
  updated: number;
  /** Rows identical to what is stored (or superseded within the batch): re-posting a file changes nothing. */
  unchanged: number;
}

let spareWriter: CopyBinaryWriter | undefined;
const EMPTY: readonly string[] = [];

/** Collects TraineeWrites into a TraineeBatch, encoding them for COPY as they come when `copy` is set. */
export class TraineeBatchBuilder {
  private ids: string[] = [];
  private refs: (string | null)[] = [];
  private hashes: string[] = [];
  private superseded: number[] = [];
  private byRef = new Map<string, number>();
  private writer: CopyBinaryWriter | undefined;
  private ends: number[] = [];
  private writes: TraineeWrite[] = [];
  private readonly owner: Buffer;

  constructor(
    ownerOrgId: string,
    private readonly copy: boolean,
    private readonly initialBytes = 1 << 20,
  ) {
    const w = new CopyBinaryWriter(32);
    w.uuid(ownerOrgId);
    this.owner = Buffer.from(w.bytes());
  }

  get size(): number {
    return this.ids.length;
  }

  private note(id: string, ref: string | null, contentHash: string): void {
    const index = this.ids.length;
    if (ref !== null) {
      const earlier = this.byRef.get(ref);
      if (earlier !== undefined) this.superseded.push(earlier);
      this.byRef.set(ref, index);
    }
    this.ids.push(id);
    this.refs.push(ref);
    this.hashes.push(contentHash);
  }

  private out(): CopyBinaryWriter {
    if (!this.writer) {
      // One encoding buffer per thread, reused batch after batch: allocating megabytes per batch left the
      // allocator's arenas fragmented and the process RSS high.
      this.writer =
        spareWriter && spareWriter.buf.length >= this.initialBytes
          ? spareWriter
          : new CopyBinaryWriter(this.initialBytes);
      spareWriter = undefined;
      this.writer.pos = 0;
    }
    return this.writer;
  }

  add(w: TraineeWrite): void {
    this.note(w.id, w.external_ref, w.content_hash);
    if (!this.copy) {
      this.writes.push(w);
      return;
    }
    const out = this.out();
    encodeRow(out, this.owner, w);
    this.ends.push(out.pos);
  }

  /**
   * A validated profile, as `add(traineeWrite(p))` would store it (same columns, same content hash), but
   * encoded straight into the COPY buffer: the content hash is taken over the profile's bytes already there.
   */
  addProfile(p: TraineeProfile): void {
    if (!this.copy) {
      this.add(traineeWrite(p));
      return;
    }
    const out = this.out();
    const id = newId();
    const ref = p.externalRef ?? null;
    out.fieldCount(COLUMN_COUNT);
    out.uuid(id);
    out.ensure(this.owner.length);
    this.owner.copy(out.buf, out.pos);
    out.pos += this.owner.length;
    out.nullableText(ref);
    out.nullableText(p.givenName);
    out.nullableText(p.familyName);
    out.nullableText(p.email);
    out.date(p.dateOfBirth);
    out.text(p.nationality);
    out.nullableText(p.residence);
    out.text(p.occupation.isco08);
    out.nullableUuid(p.programme?.partnershipId);
    out.nullableText(p.programme?.cohort);
    out.nullableText(p.programme?.track);
    out.textArray(p.preferences?.destinations ?? EMPTY);
    out.textArray(languageLevelTokens(p.languages));
    out.nullableDate(p.preferences?.earliestStart);
    out.bool(p.consent?.shareProfileWithEmployers ?? false);
    out.bool(p.consent?.contactByEmail ?? false);
    const profileAt = out.pos + 4;
    out.text(JSON.stringify(storedProfile(p)));
    // The hash's input is the profile's UTF-8 bytes followed by the tail: the tail goes after them as scratch,
    // and the hash field overwrites it.
    const tailBytes = out.scratchText(contentHashTail(p));
    const contentHash = hash('sha1', out.buf.subarray(profileAt, out.pos + tailBytes), 'base64url');
    out.text(contentHash);
    this.ends.push(out.pos);
    this.note(id, ref, contentHash);
  }

  /**
   * The batch so far; the builder starts over empty. The encoded rows are copied into `out` when it is large
   * enough, else onto an ArrayBuffer of their own (which a worker can transfer).
   */
  finish(out?: SharedArrayBuffer): TraineeBatch {
    const batch: TraineeBatch = { ids: this.ids, refs: this.refs, hashes: this.hashes, superseded: this.superseded };
    if (this.copy) {
      const bytes = this.writer ? this.writer.bytes() : new Uint8Array(0);
      if (out && out.byteLength >= bytes.byteLength) {
        batch.copy = new Uint8Array(out, 0, bytes.byteLength);
        batch.copy.set(bytes);
      } else {
        batch.copy = new Uint8Array(bytes);
      }
      batch.ends = Uint32Array.from(this.ends);
    } else {
      batch.writes = this.writes;
    }
    this.ids = [];
    this.refs = [];
    this.hashes = [];
    this.superseded = [];
    this.byRef = new Map();
    this.ends = [];
    this.writes = [];
    if (this.writer) {
      spareWriter = this.writer;
      this.writer = undefined;
    }
    return batch;
  }
}

function encodeRow(out: CopyBinaryWriter, owner: Buffer, w: TraineeWrite): void {
  out.fieldCount(COLUMN_COUNT);
  out.uuid(w.id);
  out.ensure(owner.length);
  owner.copy(out.buf, out.pos);
  out.pos += owner.length;
  out.nullableText(w.external_ref);
  out.nullableText(w.given_name);
  out.nullableText(w.family_name);
  out.nullableText(w.email);
  out.date(w.date_of_birth);
  out.text(w.nationality);
  out.nullableText(w.residence);
  out.text(w.isco08);
  out.nullableUuid(w.partnership_id);
  out.nullableText(w.cohort);
  out.nullableText(w.track);
  out.textArray(w.preferred_destinations);
  out.textArray(w.language_levels);
  out.nullableDate(w.earliest_start);
  out.bool(w.consent_share_profile);
  out.bool(w.consent_contact_email);
  out.text(w.profile);
  out.text(w.content_hash);
}

/**
 * A fixed-size Bloom filter over the externalRefs an import has written: 8 MiB whatever the file size, so
 * memory stays flat; at 5 million refs about 0.4% of lookups are false positives, which only cost a query.
 */
class RefFilter {
  private readonly bits = new Uint32Array(1 << 21); // 2^26 bits
  private static readonly MASK = (1 << 26) - 1;

  /** The two hashes of `ref`, into hashes[at] and hashes[at + 1]. */
  static hash(ref: string, hashes: Uint32Array, at: number): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < ref.length; i++) {
      const c = ref.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    hashes[at] = h1;
    hashes[at + 1] = h2 | 1;
  }

  add(hashes: Uint32Array, at: number): void {
    const h1 = hashes[at]!;
    const h2 = hashes[at + 1]!;
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + Math.imul(i, h2)) & RefFilter.MASK;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mightHave(hashes: Uint32Array, at: number): boolean {
    const h1 = hashes[at]!;
    const h2 = hashes[at + 1]!;
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + Math.imul(i, h2)) & RefFilter.MASK;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

interface ImportState {
  /**
   * Set when the owner had no trainee with an externalRef as the import began: then a ref the filter has not
   * seen cannot be stored yet, and only the filter's hits need a lookup. (A concurrent writer of the same ref
   * makes the COPY fail on the unique index; the import then rolls back and asks for a retry.)
   */
  seen: RefFilter | undefined;
  /** Rows written since the planner statistics were last brought up to date. */
  unreported: number;
}

const imports = new WeakMap<BulkSession, Map<string, ImportState>>();

async function importState(session: BulkSession, ownerOrgId: string): Promise<ImportState> {
  let byOwner = imports.get(session);
  if (!byOwner) {
    byOwner = new Map();
    imports.set(session, byOwner);
  }
  let state = byOwner.get(ownerOrgId);
  if (!state) {
    const any = await session.db
      .selectFrom('trainees')
      .select('id')
      .where('owner_org_id', '=', ownerOrgId)
      .where('external_ref', 'is not', null)
      .limit(1)
      .execute();
    state = { seen: any.length === 0 ? new RefFilter() : undefined, unreported: 0 };
    byOwner.set(ownerOrgId, state);
  }
  return state;
}

const tempTables = new WeakSet<BulkSession>();

/** Rows that exist with other content, stored through a temporary table filled by COPY and one upsert. */
async function upsertEncoded(session: BulkSession, ownerOrgId: string, chunks: Uint8Array[]) {
  if (!tempTables.has(session)) {
    await session.query('CREATE TEMP TABLE bulk_trainees ON COMMIT DROP AS SELECT * FROM trainees WITH NO DATA');
    tempTables.add(session);
  }
  await session.copy!(`COPY bulk_trainees (${COLUMNS}) FROM STDIN (FORMAT binary)`, [
    COPY_BINARY_HEADER,
    ...chunks,
    COPY_BINARY_TRAILER,
  ]);
  const set = COLUMNS.split(',')
    .map((c) => c.trim())
    .filter((c) => c !== 'id' && c !== 'owner_org_id' && c !== 'external_ref')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  const result = await session.query<{ id: string; inserted: boolean }>(
    `WITH upserted AS (
       INSERT INTO trainees AS t (${COLUMNS}) SELECT ${COLUMNS} FROM bulk_trainees WHERE owner_org_id = $1
       ON CONFLICT (owner_org_id, external_ref) DO UPDATE SET ${set}, version = t.version + 1, updated_at = now()
         WHERE t.status = 'active' AND t.content_hash <> excluded.content_hash
       RETURNING t.id, (t.xmax = 0) AS inserted
     ), cleared AS (DELETE FROM bulk_trainees)
     SELECT id, inserted FROM upserted`,
    [ownerOrgId],
  );
  return result.rows.map((r) => ({ id: r.id, change: r.inserted ? ('created' as const) : ('updated' as const) }));
}

/**
 * Writes one batch of a bulk import: rows whose externalRef is new are inserted (by COPY on Postgres),
 * rows whose content changed are updated, identical rows are left alone. The batch gets one
 * `trainees.imported` outbox event listing the created and updated ids, which consumers process as a
 * batch; one event per row would double the rows a million-profile import writes.
 */
export async function writeTraineeBatch(
  session: BulkSession,
  ownerOrgId: string,
  input: readonly TraineeWrite[] | TraineeBatch,
): Promise<BatchOutcome> {
  let batch: TraineeBatch;
  if (Array.isArray(input)) {
    const builder = new TraineeBatchBuilder(ownerOrgId, session.copy !== undefined, 64 * 1024);
    for (const w of input as readonly TraineeWrite[]) builder.add(w);
    batch = builder.finish();
  } else {
    batch = input as TraineeBatch;
  }
  const n = batch.ids.length;
  if (n === 0) return { created: 0, updated: 0, unchanged: 0 };
  const state = await importState(session, ownerOrgId);

  const skip = new Uint8Array(n);
  for (const i of batch.superseded) skip[i] = 1;
  const refs: string[] = [];
  // Each ref is hashed once, for the filter's test now and its update once the batch is stored.
  const hashes = state.seen ? new Uint32Array(2 * n) : undefined;
  for (let i = 0; i < n; i++) {
    const ref = batch.refs[i];
    if (ref == null || skip[i]) continue;
    if (hashes) RefFilter.hash(ref, hashes, 2 * i);
    if (!state.seen || state.seen.mightHave(hashes!, 2 * i)) refs.push(ref);
  }
  let existing: Awaited<ReturnType<typeof traineesRepository.existingByExternalRef>> = [];
  if (refs.length > 0) {
    // The lookup needs statistics that know how large the import has made the table (see bulk-session.ts).
    await session.wrote('trainees', state.unreported);
    state.unreported = 0;
    existing = await traineesRepository.existingByExternalRef(session.db, ownerOrgId, refs);
  }
  const byRef = new Map(existing.map((e) => [e.external_ref!, e]));

  // 0 stored as is (new), 1 changed, 2 unchanged (or superseded)
  const fate = new Uint8Array(n);
  let freshCount = 0;
  let changedCount = 0;
  for (let i = 0; i < n; i++) {
    if (skip[i]) {
      fate[i] = 2;
      continue;
    }
    const ref = batch.refs[i];
    const stored = ref == null ? undefined : byRef.get(ref);
    if (!stored) {
      freshCount++;
    } else if (stored.status === 'active' && stored.content_hash !== batch.hashes[i]) {
      fate[i] = 1;
      changedCount++;
    } else {
      fate[i] = 2;
    }
  }

  const created: string[] = [];
  const updated: string[] = [];
  if (batch.copy && session.copy) {
    const bytes = Buffer.from(batch.copy.buffer, batch.copy.byteOffset, batch.copy.byteLength);
    const ends = batch.ends!;
    const rowsOf = (want: number): Buffer[] => {
      if (want === 0 && freshCount === n) return [bytes];
      const chunks: Buffer[] = [];
      let runStart = -1;
      for (let i = 0; i <= n; i++) {
        const keep = i < n && fate[i] === want;
        if (keep && runStart < 0) runStart = i === 0 ? 0 : ends[i - 1]!;
        if (!keep && runStart >= 0) {
          chunks.push(bytes.subarray(runStart, ends[i - 1]!));
          runStart = -1;
        }
      }
      return chunks;
    };
    if (freshCount > 0) {
      await session.copy(COPY_STATEMENT, [COPY_BINARY_HEADER, ...rowsOf(0), COPY_BINARY_TRAILER]);
      for (let i = 0; i < n; i++) if (fate[i] === 0) created.push(batch.ids[i]!);
    }
    if (changedCount > 0) {
      for (const o of await upsertEncoded(session, ownerOrgId, rowsOf(1)))
        (o.change === 'created' ? created : updated).push(o.id);
    }
  } else {
    const writes = batch.writes ?? [];
    const fresh: TraineeWrite[] = [];
    const changed: TraineeWrite[] = [];
    for (let i = 0; i < n; i++) {
      if (fate[i] === 0) fresh.push(writes[i]!);
      else if (fate[i] === 1) changed.push({ ...writes[i]!, id: byRef.get(batch.refs[i]!)!.id });
    }
    for (const rows of [fresh, changed]) {
      if (rows.length === 0) continue;
      for (const o of await traineesRepository.upsertMany(session.db, ownerOrgId, rows, 'none'))
        (o.change === 'created' ? created : updated).push(o.id);
    }
  }

  state.unreported += created.length + updated.length;
  if (state.seen) {
    for (let i = 0; i < n; i++) {
      if (batch.refs[i] != null && fate[i] === 0) state.seen.add(hashes!, 2 * i);
    }
  }
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
  return { created: created.length, updated: updated.length, unchanged: n - created.length - updated.length };
}

// Reached through the one name the package exports for bulk trainee writes (ingest builds batches, possibly in
// worker threads, and hands them to writeTraineeBatch).
writeTraineeBatch.Builder = TraineeBatchBuilder;
