/**
 * Evaluator throughput: explained evaluations per second on one core across all shipped packs, and the same
 * profiles through json-rules-engine on an equivalent de-skilled-worker rule set, in the same run.
 *
 *   npx tsx packages/rules/bench/evaluator.bench.ts [profiles]
 */
import os from 'node:os';
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
  rounds: number;
  /** Explained (profile × pathway) evaluations in one round of the rule book over every pack in force. */
  evaluations: number;
  /** Best round: the rule book over every pack, facts derived once per profile and shared by the packs. */
  evaluationsPerSec: number;
  medianEvaluationsPerSec: number;
  /** Best round: de-skilled-worker alone, facts derived on every call (as json-rules-engine gets them). */
  singlePackEvaluationsPerSec: number;
  jsonRulesEngineEvaluations: number;
  /** Best round of json-rules-engine on the equivalent de-skilled-worker rules, facts derived on every call. */
  jsonRulesEnginePerSec: number;
  medianJsonRulesEnginePerSec: number;
  /** Rule book (all packs) ÷ json-rules-engine, best round against best round. */
  speedup: number;
  /** The same, median round against median round. */
  medianSpeedup: number;
  /** de-skilled-worker alone ÷ json-rules-engine on the same pack: the strictly like-for-like figure. */
  samePackSpeedup: number;
  machine: { cpu: string; cores: number; node: string; loadAverage: number[] };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Rounds interleave the three measurements (rule book, one pack, json-rules-engine), so that load from other
 * processes on the machine falls on all of them alike; the best and the median round are reported for each.
 */
export async function runEvaluatorBench({
  profiles = 20_000,
  rounds = 5,
}: {
  profiles?: number;
  rounds?: number;
} = {}): Promise<BenchResult> {
  const book = shippedRuleBook();
  const asOf = '2026-01-15';
  const data = generateProfiles(profiles);
  const packs = book.list(asOf).length;
  const one = book.compiled('de-skilled-worker', asOf)!;
  const engine = buildEngine();
  const jreCount = Math.min(data.length, 5000);
  let sink = 0;
  // Warm up the JIT on every path alike.
  for (let i = 0; i < Math.min(2000, data.length); i++) {
    const d = data[i]!;
    sink += book.evaluate(d.profile, { asOf, offer: d.offer }).length;
    sink += one.evaluate(d.profile, asOf, d.offer).criteria.length;
    const r = await engine.run(jreFacts(d.profile, d.offer, asOf));
    sink += r.results.length;
  }

  const bookRates: number[] = [];
  const singleRates: number[] = [];
  const jreRates: number[] = [];
  let evaluations = 0;
  for (let round = 0; round < rounds; round++) {
    let n = 0;
    const t0 = performance.now();
    for (const d of data) {
      const results = book.evaluate(d.profile, { asOf, offer: d.offer });
      n += results.length;
      sink += results[0]!.criteria.length;
    }
    bookRates.push(n / ((performance.now() - t0) / 1000));
    evaluations = n;

    const t1 = performance.now();
    for (const d of data) sink += one.evaluate(d.profile, asOf, d.offer).criteria.length;
    singleRates.push(data.length / ((performance.now() - t1) / 1000));

    const t2 = performance.now();
    for (let i = 0; i < jreCount; i++) {
      const r = await engine.run(jreFacts(data[i]!.profile, data[i]!.offer, asOf));
      sink += r.results.length + r.failureResults.length;
    }
    jreRates.push(jreCount / ((performance.now() - t2) / 1000));
  }
  if (sink < 0) throw new Error('unreachable');

  const best = (xs: number[]) => Math.max(...xs);
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  const cpus = os.cpus();
  return {
    profiles,
    packs,
    rounds,
    evaluations,
    evaluationsPerSec: Math.round(best(bookRates)),
    medianEvaluationsPerSec: Math.round(median(bookRates)),
    singlePackEvaluationsPerSec: Math.round(best(singleRates)),
    jsonRulesEngineEvaluations: jreCount,
    jsonRulesEnginePerSec: Math.round(best(jreRates)),
    medianJsonRulesEnginePerSec: Math.round(median(jreRates)),
    speedup: ratio(best(bookRates), best(jreRates)),
    medianSpeedup: ratio(median(bookRates), median(jreRates)),
    samePackSpeedup: ratio(best(singleRates), best(jreRates)),
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      node: process.version,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const profiles = Number(process.argv[2] ?? 20_000);
  const r = await runEvaluatorBench({ profiles });
  const n = (x: number) => x.toLocaleString('en');
  process.stdout.write(
    `rules evaluator, ${r.packs} packs, ${n(r.profiles)} seeded profiles, best of ${r.rounds} interleaved rounds (one core)\n` +
      `  machine: ${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node}, load average ${r.machine.loadAverage.join(' ')}\n` +
      `  explained evaluations/s (rule book, all packs): ${n(r.evaluationsPerSec)} (median ${n(r.medianEvaluationsPerSec)})\n` +
      `  explained evaluations/s (de-skilled-worker alone, facts per call): ${n(r.singlePackEvaluationsPerSec)}\n` +
      `  json-rules-engine (de-skilled-worker equivalent, facts per call) evaluations/s: ${n(r.jsonRulesEnginePerSec)} (median ${n(r.medianJsonRulesEnginePerSec)})\n` +
      `  speedup (rule book per evaluation vs json-rules-engine): ${r.speedup}× (median ${r.medianSpeedup}×)\n` +
      `  speedup (same pack, facts per call on both sides): ${r.samePackSpeedup}×\n`,
  );
}
