/**
 * match.vacancy against BENCH_TRAINEES stored trainees (default 1,000,000: dataset M's people, the same ones every
 * other benchmark measures): the time from job start to the shortlist persisted (the handler's whole transaction:
 * lock, SQL prefilter and pre-ranking, exact rules with the vacancy's offer, scoring, reconcile, outbox), p50/p95/max
 * over BENCH_NEW fresh vacancies from the same generator with another seed (default 60, after 2 warm-ups).
 *
 * Stored eligibility results, as the eligibility jobs leave them after an import, are written by one full recompute
 * (all 21 pathways, ~3 min at 1M); BENCH_ELIGIBILITY=0 skips it, so the prefilter cannot drop stored `not_eligible`
 * trainees. BENCH_SCHEMA=name keeps the seeded schema and reuses it on the next run (drop it by hand).
 *
 *   npx tsx packages/jobs/bench/match-vacancy.bench.ts        (BENCH_TRAINEES, BENCH_NEW, BENCH_DATABASE_URL)
 */
import { createReadStream } from 'node:fs';
import {
  migrateToLatest,
  openDatabase,
  organizationsRepository,
  vacanciesRepository,
  vacancyWrite,
} from '@corridor/db';
import { VacancyInput } from '@corridor/domain';
import { loadRuleBook, recomputeAll } from '@corridor/evaluation';
import { traineesFile } from '../../../bench/src/datasets.ts';
import { generateVacancies } from '../../../bench/src/generator.ts';
import { machineLine } from '../../../bench/src/machine.ts';
import { importTrainees } from '../../ingest/src/index.ts';
import { type MatchVacancyOutcome, matchVacancy } from '../src/match-vacancy.ts';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STORED = Number(process.env.BENCH_TRAINEES ?? 1_000_000);
const NEW = Number(process.env.BENCH_NEW ?? 60);
const WITH_ELIGIBILITY = process.env.BENCH_ELIGIBILITY !== '0';
const WARMUP = 2;
const kept = process.env.BENCH_SCHEMA;
const schema = kept ?? `bench_match_vacancy_${process.pid}`;
const log = (line: string) => process.stdout.write(`${line}\n`);

log(machineLine());
const database = await openDatabase({ url, schema, poolMax: 4 });
try {
  const seeded =
    kept !== undefined &&
    (await database.pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [kept])).rowCount === 1 &&
    (await database.pool.query(`SELECT to_regclass($1) AS t`, [`"${kept}".trainees`])).rows[0]?.t !== null;
  await migrateToLatest(database.db, schema);
  let employerId: string;
  if (seeded) {
    const org = await database.pool.query<{ id: string }>(
      "SELECT id FROM organizations WHERE kind = 'employer' ORDER BY created_at LIMIT 1",
    );
    employerId = org.rows[0]!.id;
    log(`reusing schema ${schema}`);
  } else {
    const employer = await organizationsRepository.create(database.db, {
      name: 'Bench employer',
      kind: 'employer',
      country: 'DE',
    });
    employerId = employer.id;
    const provider = await organizationsRepository.create(database.db, {
      name: 'Bench provider',
      kind: 'training_provider',
      country: 'PH',
    });
    let t0 = performance.now();
    const imported = await importTrainees(database, provider.id, createReadStream(await traineesFile(STORED)), {
      format: 'jsonl',
    });
    log(`imported ${imported.accepted.toLocaleString('en')} trainees in ${secs(performance.now() - t0)}`);
    if (WITH_ELIGIBILITY) {
      t0 = performance.now();
      await recomputeAll(database, await loadRuleBook(database.db), { asOf: '2026-11-29' });
      log(`stored eligibility (21 pathways) in ${secs(performance.now() - t0)}`);
    }
    await database.pool.query('VACUUM ANALYZE');
  }
  const count = await database.pool.query<{ n: string }>("SELECT count(*) AS n FROM trainees WHERE status = 'active'");
  log(`stored trainees: ${Number(count.rows[0]!.n).toLocaleString('en')}, schema ${schema}`);

  const book = await loadRuleBook(database.db);
  const times: number[] = [];
  const outcomes: MatchVacancyOutcome[] = [];
  let i = 0;
  for (const input of generateVacancies(NEW + WARMUP, 11, `bench-${process.pid}`)) {
    const [written] = await vacanciesRepository.upsertMany(
      database.db,
      employerId,
      [{ ...vacancyWrite(VacancyInput.parse(input)), employer_id: employerId }],
      'api',
    );
    const start = performance.now();
    const outcome = await matchVacancy(database, book, written!.id);
    const ms = performance.now() - start;
    const warm = i >= WARMUP;
    log(
      `  vacancy ${i}${warm ? '' : ' (warm-up)'} ${input.isco08} ${input.destination} ×${input.headcount}: ${ms.toFixed(0)} ms, ` +
        `prefilter ${outcome?.prefiltered}, checked ${outcome?.checked}, qualified ${outcome?.qualified}, shortlist ${outcome?.shortlist}`,
    );
    if (warm && outcome) {
      times.push(ms);
      outcomes.push(outcome);
    }
    i++;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!.toFixed(0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  log('');
  log(
    `RESULT match.vacancy over ${Number(count.rows[0]!.n).toLocaleString('en')} stored trainees, ${times.length} new vacancies: ` +
      `p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms [target p95 ≤ 300 ms]; ` +
      `prefilter median ${median(outcomes.map((o) => o.prefiltered))} (max ${Math.max(...outcomes.map((o) => o.prefiltered))}), ` +
      `checked exactly median ${median(outcomes.map((o) => o.checked))} (max ${Math.max(...outcomes.map((o) => o.checked))}), ` +
      `shortlisted ${outcomes.reduce((s, o) => s + o.shortlist, 0)}`,
  );
} finally {
  if (!kept) await database.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await database.close();
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
