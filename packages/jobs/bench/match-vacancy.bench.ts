/**
 * match.vacancy against N stored trainees: the time from job start to the shortlist persisted (the handler's whole
 * transaction: lock, SQL prefilter, exact rules with the vacancy's offer, scoring, reconcile, outbox), p50/p95 over
 * fresh vacancies. Seeds a mix of occupations, destinations and German levels, and stored eligibility results where
 * a third of the nurses are `not_eligible` (filtered in SQL).
 *
 *   npx tsx packages/jobs/bench/match-vacancy.bench.ts [trainees=100000] [vacancies=20]
 *
 * Needs the local Postgres of the test suite; works in a throwaway schema.
 */
import { randomBytes } from 'node:crypto';
import {
  migrateToLatest,
  newId,
  openDatabase,
  traineesRepository,
  traineeWrite,
  vacanciesRepository,
  vacancyWrite,
} from '@corridor/db';
import { TraineeProfile, VacancyInput } from '@corridor/domain';
import { loadRuleBook } from '@corridor/evaluation';
import { matchVacancy } from '../src/match-vacancy.ts';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.argv[2] ?? 100_000);
const VACANCIES = Number(process.argv[3] ?? 20);

// mulberry32: seeded, so every run measures the same data.
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OCCUPATIONS = ['2221', '2221', '3221', '5321', '5322', '7112', '2512', '5120'];
const DESTINATIONS = [['DE'], ['DE', 'AU'], ['AU'], ['JP'], [], ['GB', 'DE']];
const LEVELS = ['A1', 'A2', 'B1', 'B1', 'B2', 'C1'] as const;

async function main() {
  const schema = `bench_match_${randomBytes(4).toString('hex')}`;
  const database = await openDatabase({ url: DATABASE_URL, schema, poolMax: 4 });
  await migrateToLatest(database.db, schema);
  try {
    const org = newId();
    await database.db
      .insertInto('organizations')
      .values({ id: org, name: 'bench', kind: 'employer', country: 'DE' })
      .execute();
    const random = rng(42);
    const started = performance.now();
    const BATCH = 2_000;
    for (let i = 0; i < N; i += BATCH) {
      const rows = [];
      for (let k = i; k < Math.min(N, i + BATCH); k++) {
        const isco = OCCUPATIONS[Math.floor(random() * OCCUPATIONS.length)]!;
        const level = LEVELS[Math.floor(random() * LEVELS.length)]!;
        const from = 2010 + Math.floor(random() * 14);
        rows.push(
          traineeWrite(
            TraineeProfile.parse({
              externalRef: `b-${k}`,
              dateOfBirth: `${1975 + Math.floor(random() * 28)}-0${1 + Math.floor(random() * 9)}-15`,
              nationality: 'PH',
              residence: 'PH',
              occupation: { isco08: isco },
              qualifications: [
                {
                  iscedLevel: 6,
                  durationYears: 4,
                  field: 'Nursing',
                  country: 'PH',
                  awarded: '2018-06-01',
                  recognition: [{ destination: 'DE', status: random() < 0.5 ? 'in_progress' : 'partial' }],
                },
              ],
              languages: [
                { language: 'en', cefr: 'B2' },
                { language: 'de', cefr: level },
              ],
              experience: [{ isco08: isco, country: 'PH', from: `${from}-01-01`, to: '2025-10-31' }],
              preferences: { destinations: DESTINATIONS[Math.floor(random() * DESTINATIONS.length)]! },
              consent: { shareProfileWithEmployers: random() < 0.8, contactByEmail: false },
            }),
          ),
        );
      }
      await traineesRepository.upsertMany(database.db, org, rows, 'none');
    }
    // Stored results: a third of everyone not eligible on both German pathways (what the prefilter can drop).
    for (const pathway of ['de-skilled-worker', 'de-recognition-partnership']) {
      await database.pool.query(
        `INSERT INTO eligibility_results (trainee_id, pathway_id, pack_version, status, as_of, result, failed_criteria, result_hash)
         SELECT id, $1, 'bench', CASE WHEN abs(hashtext(id::text)) % 3 = 0 THEN 'not_eligible' ELSE 'insufficient_data' END,
                '2026-03-15', '{}'::json, '{}', 'bench'
         FROM trainees`,
        [pathway],
      );
    }
    await database.pool.query('ANALYZE');
    console.log(`seeded ${N.toLocaleString()} trainees in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const book = await loadRuleBook(database.db);
    const times: number[] = [];
    for (let v = 0; v < VACANCIES + 2; v++) {
      const input = VacancyInput.parse({
        externalRef: `v-${v}`,
        title: 'Nurse',
        headcount: 1 + (v % 5),
        sector: 'Q',
        isco08: v % 3 === 2 ? '5321' : '2221',
        destination: 'DE',
        salary: { amount: 52000, currency: 'EUR', period: 'year' },
        hoursPerWeek: 39,
        contract: { type: 'permanent' },
        startDate: '2026-10-01',
        sponsor: true,
        requirements: { languages: [{ language: 'de', cefr: 'B1' }], minExperienceMonths: 12 },
        pathways: ['de-skilled-worker', 'de-recognition-partnership'],
        costSharing: {
          employerPaysTraining: true,
          employerPaysTravel: true,
          employerPaysVisa: v % 2 === 0,
          workerFees: 0,
        },
      });
      const [written] = await vacanciesRepository.upsertMany(
        database.db,
        org,
        [{ ...vacancyWrite(input), employer_id: org }],
        'api',
      );
      const t0 = performance.now();
      const outcome = await matchVacancy(database, book, written!.id);
      const ms = performance.now() - t0;
      if (v >= 2) times.push(ms); // two warm-up runs (JIT, plan cache)
      if (v < 3) console.log(`vacancy ${v}: ${ms.toFixed(0)} ms`, outcome);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(0);
    console.log(
      `match.vacancy over ${N.toLocaleString()} trainees: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms (${times.length} vacancies)`,
    );
  } finally {
    await database.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await database.close();
  }
}

await main();
