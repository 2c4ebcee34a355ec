import { newId, traineesRepository, traineeWrite } from '@corridor/db';
import { type CefrLevelCode, TraineeProfile } from '@corridor/domain';
import { composePacks, evaluateTrainees, reevaluatePathwayToEnd } from '@corridor/evaluation';
import { createRuleBook, shippedPacks, shippedRuleBook, validatePack } from '@corridor/rules';
import { sql } from 'kysely';
import { isolatedDatabase } from '../helpers/db.ts';
import { nurseProfile } from '../helpers/factories.ts';

const N = Number(process.argv[2] ?? 5000);
const db = await isolatedDatabase('measure');
try {
  const org = newId();
  await sql`INSERT INTO organizations (id, name, kind, country) VALUES (${org}, 'P', 'training_provider', 'PH')`.execute(
    db.db,
  );
  const levels: CefrLevelCode[] = ['A1', 'A2', 'B1', 'B2'];
  const rows = Array.from({ length: N }, (_, i) =>
    traineeWrite(
      TraineeProfile.parse(
        nurseProfile({
          externalRef: `m-${i}`,
          dateOfBirth: `19${70 + (i % 30)}-0${1 + (i % 9)}-15`,
          languages: [
            { language: 'en', cefr: 'C1' },
            { language: 'de', cefr: levels[i % 4]! },
          ],
        }),
      ),
    ),
  );
  for (let i = 0; i < rows.length; i += 1000)
    await traineesRepository.upsertMany(db.db, org, rows.slice(i, i + 1000), 'none');
  const ids = rows.map((r) => r.id);
  const book = shippedRuleBook();
  let t0 = performance.now();
  const o = await evaluateTrainees(db, book, ids, { asOf: '2026-03-15', batchSize: 500 });
  let ms = performance.now() - t0;
  console.log(
    `evaluateTrainees first run: ${N} trainees x 21 = ${o.evaluated} results, ${o.written} written, ${ms.toFixed(0)} ms => ${(ms / (N / 1000)).toFixed(0)} ms per 1,000 trainees`,
  );
  t0 = performance.now();
  const o2 = await evaluateTrainees(db, book, ids, { asOf: '2026-03-15', batchSize: 500 });
  ms = performance.now() - t0;
  console.log(
    `evaluateTrainees unchanged re-run: ${o2.written} written, ${ms.toFixed(0)} ms => ${(ms / (N / 1000)).toFixed(0)} ms per 1,000`,
  );
  const base = shippedPacks().find((p) => p.id === 'de-recognition-partnership')!;
  const checked = validatePack({
    ...base,
    version: '2026-03-01',
    effectiveFrom: '2026-03-01',
    criteria: base.criteria.map((c) =>
      c.id === 'german' && c.kind === 'language' ? { ...c, anyOf: [{ language: 'de', minCefr: 'B1' }] } : c,
    ),
  });
  if (!checked.ok) throw new Error('bad');
  const newBook = createRuleBook(composePacks(shippedPacks(), [checked.pack]));
  t0 = performance.now();
  const r = await reevaluatePathwayToEnd(db, newBook, {
    pathwayId: 'de-recognition-partnership',
    asOf: '2026-03-15',
    chunkSize: 1000,
  });
  ms = performance.now() - t0;
  console.log(
    `reevaluatePathway: ${r.trainees} trainees, ${r.written} written, ${r.changed} events, ${r.chunks} chunks, ${ms.toFixed(0)} ms => ${(ms / (N / 1000)).toFixed(0)} ms per 1,000`,
  );
  t0 = performance.now();
  const r2 = await reevaluatePathwayToEnd(db, newBook, {
    pathwayId: 'de-recognition-partnership',
    asOf: '2026-03-15',
    chunkSize: 1000,
  });
  ms = performance.now() - t0;
  console.log(
    `reevaluatePathway re-run: ${r2.written} written, ${r2.changed} events, ${ms.toFixed(0)} ms => ${(ms / (N / 1000)).toFixed(0)} ms per 1,000`,
  );
} finally {
  await db.drop();
}
