/**
 * match.trainee against 100,000 open vacancies: the job's whole time (reverse SQL prefilter, exact checks and
 * scoring in memory, shortlist edges, then the trainee written into every shortlist they enter),
 * p50/p95/max over BENCH_NEW new trainees (default 60: only about 1 in 20 generated trainees qualifies for any
 * vacancy, so 20 would often measure the prefilter alone). Data: dataset M's 100,000 seeded vacancies through the
 * bulk importer, and BENCH_TRAINEES stored trainees (default 0) through the trainee importer, in a fresh schema
 * dropped at the end. New trainees come from the same generator with another seed. No shortlists are precomputed
 * (that is 100,000 match.vacancy runs), so every vacancy a qualifying trainee passes has room and takes them: the
 * worst case for the number of shortlists entered (with full shortlists a trainee enters only where they beat the
 * weakest). Stored trainees do not change the work: entering a shortlist reads that shortlist, not the trainees.
 *
 *   npx tsx packages/jobs/bench/match-trainee.bench.ts        (BENCH_TRAINEES, BENCH_NEW, BENCH_DATABASE_URL)
 */
import { createReadStream } from 'node:fs';
import { migrateToLatest, openDatabase, organizationsRepository, traineesRepository, traineeWrite } from '@corridor/db';
import { TraineeProfile } from '@corridor/domain';
import { loadRuleBook } from '@corridor/evaluation';
import { traineesFile, vacanciesFile } from '../../../bench/src/datasets.ts';
import { DATASET_SIZES, generateTrainees } from '../../../bench/src/generator.ts';
import { machineLine } from '../../../bench/src/machine.ts';
import { importEmployerVacancies } from '../../../bench/src/seed.ts';
import { importTrainees } from '../../ingest/src/index.ts';
import { matchTrainee } from '../src/match-trainee.ts';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const VACANCIES = DATASET_SIZES.M.vacancies;
const STORED = Number(process.env.BENCH_TRAINEES ?? 0);
const NEW = Number(process.env.BENCH_NEW ?? 60);
const WARMUP = 2;
const schema = `bench_match_trainee_${process.pid}`;
const log = (line: string) => process.stdout.write(`${line}\n`);

log(machineLine());
log(`vacancies: ${VACANCIES.toLocaleString('en')}, stored trainees: ${STORED.toLocaleString('en')}, schema ${schema}`);
const database = await openDatabase({ url, schema, poolMax: 4 });
try {
  await migrateToLatest(database.db, schema);
  const employer = await organizationsRepository.create(database.db, {
    name: 'Bench employer',
    kind: 'employer',
    country: 'DE',
  });
  const provider = await organizationsRepository.create(database.db, {
    name: 'Bench provider',
    kind: 'training_provider',
    country: 'PH',
  });
  let t0 = performance.now();
  const vacancies = await importEmployerVacancies(database, employer.id, await vacanciesFile(VACANCIES));
  log(
    `imported ${vacancies.accepted.toLocaleString('en')} vacancies in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (STORED > 0) {
    t0 = performance.now();
    const trainees = await importTrainees(database, provider.id, createReadStream(await traineesFile(STORED)), {
      format: 'jsonl',
    });
    log(
      `imported ${trainees.accepted.toLocaleString('en')} trainees in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  await database.pool.query('VACUUM ANALYZE');
  const open = await database.pool.query<{ n: string }>("SELECT count(*) AS n FROM vacancies WHERE status = 'open'");
  log(`open vacancies: ${Number(open.rows[0]!.n).toLocaleString('en')}`);

  const book = await loadRuleBook(database.db);
  const times: number[] = [];
  const prefiltered: number[] = [];
  const reruns: number[] = [];
  const entered: number[] = [];
  let i = 0;
  for (const input of generateTrainees(NEW + WARMUP, 7, 'new')) {
    const [written] = await traineesRepository.upsertMany(
      database.db,
      provider.id,
      [traineeWrite(TraineeProfile.parse(input))],
      'none',
    );
    const start = performance.now();
    const outcome = await matchTrainee(database, book, written!.id);
    const ms = performance.now() - start;
    const warm = i >= WARMUP;
    log(
      `  trainee ${i}${warm ? '' : ' (warm-up)'}: ${ms.toFixed(0)} ms, prefilter ${outcome.prefiltered}, re-run ${outcome.rerun.length}, entered ${outcome.entered.vacancies} shortlists`,
    );
    if (warm) {
      times.push(ms);
      prefiltered.push(outcome.prefiltered);
      reruns.push(outcome.rerun.length);
      entered.push(outcome.entered.vacancies);
    }
    i++;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!.toFixed(0);
  const range = (xs: number[]) =>
    `${Math.min(...xs)}–${Math.max(...xs)} (median ${[...xs].sort((a, b) => a - b)[xs.length >> 1]})`;
  log('');
  log(
    `RESULT match.trainee over ${VACANCIES.toLocaleString('en')} vacancies, ${STORED.toLocaleString('en')} stored trainees, ` +
      `${times.length} new trainees: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms [target p95 ≤ 300 ms]; ` +
      `prefilter returned ${range(prefiltered)} vacancies, re-run ${range(reruns)}, entered ${range(entered)} shortlists; ` +
      `${entered.filter((n) => n > 0).length} trainees entered any shortlist`,
  );
} finally {
  if (!process.env.BENCH_KEEP) await database.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await database.close();
}
