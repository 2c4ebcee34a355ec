/**
 * Evaluator throughput: explained evaluations per second on one core across all shipped packs, and the same
 * profiles through json-rules-engine on an equivalent de-skilled-worker rule set, in the same run.
 *
 *   npx tsx packages/rules/bench/evaluator.bench.ts [profiles]
 */
import { pathToFileURL } from 'node:url';
import type { EligibilityProfile, OfferTermsInput } from '@corridor/domain';
import { Engine } from 'json-rules-engine';
import { shippedRuleBook } from '../src/index.ts';

/** mulberry32: a tiny seeded PRNG, so every run sees the same profiles. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OCCUPATIONS = ['2221', '3221', '5321', '2211', '2512', '7212', '5120'];
const COUNTRIES = ['PH', 'IN', 'ID', 'VN', 'NG', 'KE', 'NP', 'TN'];
const CEFR = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
const pad = (n: number) => String(n).padStart(2, '0');

/** Seeded synthetic profiles with a realistic spread of missing fields. */
export function generateProfiles(count: number, seed = 42): { profile: EligibilityProfile; offer?: OfferTermsInput }[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: { profile: EligibilityProfile; offer?: OfferTermsInput }[] = [];
  for (let i = 0; i < count; i++) {
    const isco = pick(OCCUPATIONS);
    const year = 1970 + Math.floor(rnd() * 35);
    const nationality = pick(COUNTRIES);
    const band = 4 + Math.floor(rnd() * 10) / 2;
    const profile: EligibilityProfile = {
      dateOfBirth: `${year}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`,
      nationality,
      residence: nationality,
      occupation: { isco08: isco },
      qualifications:
        rnd() < 0.9
          ? [
              {
                iscedLevel: 3 + Math.floor(rnd() * 5),
                durationYears: 1 + Math.floor(rnd() * 4),
                field: isco.startsWith('22') || isco.startsWith('32') ? 'Nursing' : 'General',
                awarded: `${2005 + Math.floor(rnd() * 20)}-06-01`,
                recognition: [{ destination: 'DE', status: pick(['none', 'in_progress', 'partial', 'full'] as const) }],
              },
            ]
          : undefined,
      languages:
        rnd() < 0.9
          ? [
              {
                language: 'en',
                cefr: pick(CEFR),
                test: {
                  name: 'IELTS',
                  module: rnd() < 0.5 ? 'general' : 'academic',
                  overall: band,
                  bands: { listening: band, reading: band, writing: Math.max(4, band - 0.5), speaking: band },
                  date: '2025-03-01',
                },
              },
              { language: 'de', cefr: pick(CEFR) },
              { language: 'ja', test: { name: 'JLPT', level: pick(['N5', 'N4', 'N3', 'N2']) } },
            ]
          : undefined,
      experience:
        rnd() < 0.85
          ? [
              {
                isco08: isco,
                country: nationality,
                from: `${2012 + Math.floor(rnd() * 12)}-01-01`,
                to: '2025-12-31',
                hoursPerWeek: 40,
              },
            ]
          : undefined,
      certifications:
        rnd() < 0.7 ? [{ code: pick(['nurse-licence', 'jp-care-skills', 'jp-care-japanese']) }] : undefined,
      skillsAssessments: rnd() < 0.5 ? [{ destination: 'AU', authority: 'ANMAC', outcome: 'positive' }] : undefined,
      family: rnd() < 0.7 ? { maritalStatus: 'single' } : undefined,
    };
    const offer: OfferTermsInput | undefined =
      rnd() < 0.6
        ? {
            destination: 'DE',
            isco08: isco,
            sector: 'Q',
            salary: { amount: 30000 + Math.floor(rnd() * 40000), currency: 'EUR', period: 'year' },
            hoursPerWeek: 39,
            sponsor: true,
          }
        : undefined;
    out.push(offer ? { profile, offer } : { profile });
  }
  return out;
}

/** de-skilled-worker expressed as json-rules-engine rules over facts derived from the same profiles. */
function buildEngine(): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  const rule = (name: string, conditions: object) =>
    engine.addRule({ name, conditions: conditions as never, event: { type: name, params: { criterion: name } } });
  rule('recognised-qualification', { all: [{ fact: 'recognitionFull', operator: 'equal', value: true }] });
  rule('job-offer', { all: [{ fact: 'offerDestination', operator: 'equal', value: 'DE' }] });
  rule('professional-licence', {
    any: [
      { fact: 'isNurse', operator: 'equal', value: false },
      { fact: 'germanRank', operator: 'greaterThanInclusive', value: 4 },
    ],
  });
  rule('salary-45-plus', {
    any: [
      { fact: 'age', operator: 'lessThan', value: 45 },
      { fact: 'salary', operator: 'greaterThanInclusive', value: 55770 },
    ],
  });
  return engine;
}

const CEFR_RANK: Record<string, number> = { A1: 1, A2: 2, B1: 3, B2: 4, C1: 5, C2: 6 };
function jreFacts(profile: EligibilityProfile, offer: OfferTermsInput | undefined, asOf: string) {
  const age = Number(asOf.slice(0, 4)) - Number(profile.dateOfBirth.slice(0, 4));
  const de = profile.languages?.find((l) => l.language === 'de');
  return {
    recognitionFull: profile.qualifications?.some((q) =>
      q.recognition?.some((r) => r.destination === 'DE' && r.status === 'full'),
    ),
    offerDestination: offer?.destination,
    isNurse: ['2221', '2222', '3221', '3222'].includes(profile.occupation.isco08),
    germanRank: de?.cefr ? CEFR_RANK[de.cefr] : 0,
    age,
    salary: offer?.salary?.amount,
  };
}

export interface BenchResult {
  profiles: number;
  packs: number;
  evaluations: number;
  evaluationsPerSec: number;
  singlePackEvaluationsPerSec: number;
  jsonRulesEngineEvaluations: number;
  jsonRulesEnginePerSec: number;
  speedup: number;
}

export async function runEvaluatorBench({ profiles = 20_000 }: { profiles?: number } = {}): Promise<BenchResult> {
  const book = shippedRuleBook();
  const asOf = '2026-01-15';
  const data = generateProfiles(profiles);
  const packs = book.list(asOf).length;
  // Warm up the JIT.
  for (let i = 0; i < Math.min(2000, data.length); i++)
    book.evaluate(data[i]!.profile, { asOf, offer: data[i]!.offer });
  let evaluations = 0;
  let sink = 0;
  const t0 = performance.now();
  for (let round = 0; round < 3; round++)
    for (const d of data) {
      const results = book.evaluate(d.profile, { asOf, offer: d.offer });
      evaluations += results.length;
      sink += results[0]!.criteria.length;
    }
  const seconds = (performance.now() - t0) / 1000;

  const one = book.compiled('de-skilled-worker', asOf)!;
  let single = 0;
  const t1 = performance.now();
  for (let round = 0; round < 3; round++)
    for (const d of data) {
      sink += one.evaluate(d.profile, asOf, d.offer).criteria.length;
      single++;
    }
  const singleSeconds = (performance.now() - t1) / 1000;

  const engine = buildEngine();
  const jreCount = Math.min(data.length, 5000);
  for (let i = 0; i < 200; i++) await engine.run(jreFacts(data[i]!.profile, data[i]!.offer, asOf));
  const t2 = performance.now();
  for (let i = 0; i < jreCount; i++) {
    const r = await engine.run(jreFacts(data[i]!.profile, data[i]!.offer, asOf));
    sink += r.results.length + r.failureResults.length;
  }
  const jreSeconds = (performance.now() - t2) / 1000;
  if (sink < 0) throw new Error('unreachable');

  const evaluationsPerSec = Math.round(evaluations / seconds);
  const jsonRulesEnginePerSec = Math.round(jreCount / jreSeconds);
  return {
    profiles,
    packs,
    evaluations,
    evaluationsPerSec,
    singlePackEvaluationsPerSec: Math.round(single / singleSeconds),
    jsonRulesEngineEvaluations: jreCount,
    jsonRulesEnginePerSec,
    speedup: Math.round((evaluationsPerSec / jsonRulesEnginePerSec) * 10) / 10,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const profiles = Number(process.argv[2] ?? 20_000);
  const r = await runEvaluatorBench({ profiles });
  process.stdout.write(
    `rules evaluator, ${r.packs} packs, ${r.profiles} seeded profiles (node ${process.version}, one core)\n` +
      `  explained evaluations/s (rule book, all packs): ${r.evaluationsPerSec.toLocaleString('en')}\n` +
      `  explained evaluations/s (de-skilled-worker closure, facts per call): ${r.singlePackEvaluationsPerSec.toLocaleString('en')}\n` +
      `  json-rules-engine (de-skilled-worker equivalent) evaluations/s: ${r.jsonRulesEnginePerSec.toLocaleString('en')}\n` +
      `  speedup: ${r.speedup}×\n`,
  );
}
