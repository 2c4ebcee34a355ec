import { Readable } from 'node:stream';
import { organizationsRepository, traineeWrite, writeTraineeBatch } from '@corridor/db';
import { TraineeProfile } from '@corridor/domain';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../test/helpers/db.ts';
import { nurseProfile } from '../../../test/helpers/factories.ts';
import { type IngestOptions, importTrainees } from '../src/index.ts';
import { processTraineeChunk } from '../src/trainee-chunks.ts';
import { startWorkers } from '../src/trainee-pool.ts';

// The trainee JSON Lines path in its two shapes: validated inline, and validated on worker threads (forced on
// here with tiny chunks, so rows, duplicates and rejects fall on many chunk and batch boundaries).
const t = await isolatedDatabase('ingest_lines');
afterAll(() => t.drop());

const line = (i: number, overrides: Record<string, unknown> = {}) =>
  JSON.stringify(nurseProfile({ externalRef: `r-${i}`, givenName: `Name ${i}`, ...overrides }));

function file(n: number, variant = ''): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 97 === 5) out.push('{ not json');
    if (i % 89 === 7) out.push('   ');
    if (i % 101 === 9) out.push(line(i, { nationality: 'ZZ' }));
    out.push(line(i, variant ? { residence: i % 3 === 0 ? 'DE' : 'PH' } : {}));
    if (i % 250 === 3) out.push(line(i, { familyName: 'Later' })); // a later row for the same externalRef wins
  }
  return `${out.join('\n')}\n`;
}

const stream = (text: string, piece = 65_536) => {
  const buf = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += piece) pieces.push(buf.subarray(i, i + piece));
  return Readable.from(pieces);
};

const threaded: IngestOptions = { format: 'jsonl', workers: 1, workerThresholdBytes: 0, chunkBytes: 16 * 1024 };
const inline: IngestOptions = { format: 'jsonl', workers: 0, chunkBytes: 16 * 1024 };

async function org(name: string) {
  return (await organizationsRepository.create(t.db, { name, kind: 'training_provider', country: 'PH' })).id;
}

async function stored(owner: string) {
  const rows = await sql<{ external_ref: string; family_name: string; residence: string; n: number }>`
    SELECT external_ref, family_name, residence, version AS n FROM trainees WHERE owner_org_id = ${owner}
    ORDER BY external_ref`.execute(t.db);
  return rows.rows;
}

describe('trainee JSON Lines import', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await org('threaded');
    b = await org('inline');
  });

  it('stores and reports the same on worker threads as inline', async () => {
    const text = file(1200);
    const onThreads = await importTrainees(t, a, stream(text), threaded);
    const inThread = await importTrainees(t, b, stream(text), inline);
    expect(onThreads).toEqual(inThread);
    expect(onThreads.created).toBe(1200);
    expect(onThreads.rejectedCount).toBe(13 + 12);
    expect(onThreads.rejected[0]).toEqual({ line: 7, errors: [expect.objectContaining({ path: '(row)' })] });
    expect(await stored(a)).toEqual(await stored(b));
    expect((await stored(a)).filter((r) => r.family_name === 'Later')).toHaveLength(5);
  });

  it('a worker thread validates and encodes a chunk exactly as the main thread does', async () => {
    const task = { bytes: Buffer.from(file(300)), ownerOrgId: a, copy: true, maxLineBytes: 1 << 20 };
    const runner = await startWorkers(1);
    try {
      const [there, here] = [await runner.run(task), processTraineeChunk(task)];
      expect(runner).toMatchObject({ broken: false }); // it ran on the worker, not the inline fallback
      const { ids: _a, copy: bytesThere, ...batchThere } = there.batch;
      const { ids: _b, copy: bytesHere, ...batchHere } = here.batch;
      expect({ ...there, batch: batchThere }).toEqual({ ...here, batch: batchHere });
      expect(bytesThere!.byteLength).toBe(bytesHere!.byteLength); // same rows, ids aside
    } finally {
      await runner.close();
    }
  });

  it('re-posting the same file changes nothing', async () => {
    const again = await importTrainees(t, a, stream(file(1200)), threaded);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: again.accepted });
  });

  it('updates only the rows whose content changed', async () => {
    const before = await stored(a);
    const report = await importTrainees(t, a, stream(file(1200, 'changed')), threaded);
    const after = await stored(a);
    const changed = after.filter((r, i) => r.residence !== before[i]!.residence);
    // Every third row moves to DE, except r-3 and r-753, whose later duplicate row keeps PH.
    expect(report.updated).toBe(398);
    expect(changed).toHaveLength(398);
    expect(changed.every((r) => r.residence === 'DE' && r.n === 2)).toBe(true);
  });

  it('refuses a file cut mid-line whole, on worker threads too', async () => {
    const owner = await org('truncated');
    const text = file(600);
    await expect(importTrainees(t, owner, stream(text.slice(0, -40)), threaded)).rejects.toThrow(/truncated/);
    expect(await stored(owner)).toEqual([]);
  });

  it('reports a bad last line as a rejected row when the file ends with its newline', async () => {
    const owner = await org('bad-last');
    for (const options of [inline, threaded]) {
      const report = await importTrainees(t, owner, stream(`${line(1)}\n{ not json\n`), options);
      expect(report).toMatchObject({ rejectedCount: 1, rejected: [{ line: 2 }] });
    }
  });

  it('stores awkward values exactly through binary COPY', async () => {
    const owner = await org('awkward');
    const awkward = {
      externalRef: 'tab\there, "quoted" {braced} \\ back\nslash',
      givenName: 'Zoë 😀 ñ',
      familyName: "O'Brien\r\nNULL",
      dateOfBirth: '2000-02-29',
      languages: [],
      preferences: { destinations: [], earliestStart: '1999-12-31' },
      programme: { cohort: '{a,b} "c" \\N', track: 'home' as const },
    };
    const report = await importTrainees(t, owner, stream(`${line(1, awkward)}\n`), inline);
    expect(report).toMatchObject({ created: 1, rejectedCount: 0 });
    const row = await t.db
      .selectFrom('trainees')
      .select(['external_ref', 'given_name', 'family_name', 'date_of_birth', 'earliest_start', 'cohort'])
      .select(['preferred_destinations', 'language_levels', 'profile'])
      .where('owner_org_id', '=', owner)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      external_ref: awkward.externalRef,
      given_name: awkward.givenName,
      family_name: awkward.familyName,
      date_of_birth: '2000-02-29',
      earliest_start: '1999-12-31',
      cohort: awkward.programme.cohort,
      preferred_destinations: [],
      language_levels: [],
    });
    expect(row.profile).toMatchObject({ programme: awkward.programme, languages: [] });
  });

  it('encodes a profile straight into COPY exactly as traineeWrite + add would (bytes, content hash)', () => {
    const profiles = [
      nurseProfile({ externalRef: 'plain' }),
      nurseProfile({
        externalRef: 'ü-ref',
        givenName: 'Zoë 😀',
        familyName: 'Ŋ\u0000x',
        dateOfBirth: '1960-02-29',
        occupation: { isco08: '2221', title: 'Krankenpfleger\u2028"q" \\' },
        languages: [
          { language: 'de', test: { name: 'Goethe', level: 'B2' } },
          { language: 'de', cefr: 'C1' },
        ],
        preferences: { destinations: ['DE', 'AT'], earliestStart: '2100-03-01' },
        consent: { shareProfileWithEmployers: true },
      }),
      { dateOfBirth: '1900-01-01', nationality: 'PH', occupation: { isco08: '2221' } },
    ].map((p) => TraineeProfile.parse(p));
    const direct = new writeTraineeBatch.Builder(a, true, 64);
    for (const p of profiles) direct.addProfile(p);
    const d = direct.finish();
    const viaWrite = new writeTraineeBatch.Builder(a, true, 64);
    for (const [i, p] of profiles.entries()) viaWrite.add(traineeWrite(p, d.ids[i]!));
    const w = viaWrite.finish();
    expect(d.hashes).toEqual(profiles.map((p, i) => traineeWrite(p, d.ids[i]!).content_hash));
    expect({ ...d, copy: Buffer.from(d.copy!) }).toEqual({ ...w, copy: Buffer.from(w.copy!) });
  });

  it('reads CRLF line ends', async () => {
    const owner = await org('crlf');
    const report = await importTrainees(t, owner, stream(`${line(1)}\r\n${line(2)}\r\n`), inline);
    expect(report).toMatchObject({ created: 2, rejectedCount: 0 });
  });
});
