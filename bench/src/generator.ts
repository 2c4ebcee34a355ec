import type { TraineeProfileInput, VacancyInput } from '@corridor/domain';

// A seeded, realistic synthetic population: the same seed gives the same data on every machine, so benchmark
// figures from different issues are measured on the same trainees and vacancies.

export const DATASET_SIZES = {
  S: { trainees: 10_000, vacancies: 1_000 },
  M: { trainees: 1_000_000, vacancies: 100_000 },
  L: { trainees: 5_000_000, vacancies: 500_000 },
} as const;
export type DatasetSize = keyof typeof DATASET_SIZES;

/** mulberry32: small, fast and good enough for test data; Math.random cannot be seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
function weighted<T>(r: Rand, xs: readonly (readonly [T, number])[]): T {
  const total = xs.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of xs) {
    x -= w;
    if (x < 0) return v;
  }
  return xs[xs.length - 1]![0];
}
const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Origin countries of the skills partnerships in the brief, weighted roughly by their share of such flows. */
const ORIGINS = [
  ['PH', 30],
  ['IN', 14],
  ['ID', 6],
  ['VN', 6],
  ['NP', 4],
  ['LK', 3],
  ['FJ', 5],
  ['WS', 3],
  ['TO', 2],
  ['PG', 3],
  ['VU', 2],
  ['SB', 2],
  ['KE', 4],
  ['GH', 3],
  ['NG', 4],
  ['MA', 3],
  ['TN', 2],
  ['BR', 2],
  ['CO', 2],
  ['MX', 2],
] as const;

/** ISCO-08 unit groups in the sectors the brief discusses: health and care, construction, hospitality, engineering. */
const OCCUPATIONS = [
  ['2221', 'Q', 22],
  ['3221', 'Q', 6],
  ['5321', 'Q', 14],
  ['5322', 'Q', 5],
  ['7112', 'F', 3],
  ['7115', 'F', 6],
  ['7126', 'F', 4],
  ['7411', 'F', 6],
  ['7212', 'C', 4],
  ['7231', 'G', 3],
  ['5120', 'I', 6],
  ['5131', 'I', 3],
  ['9412', 'I', 3],
  ['5151', 'I', 2],
  ['2142', 'F', 2],
  ['2144', 'C', 2],
  ['2512', 'J', 4],
  ['3115', 'C', 2],
  ['8332', 'H', 2],
  ['6111', 'A', 1],
] as const;
const HEALTH = new Set(['2221', '3221', '5321', '5322']);

const DESTINATIONS = [
  ['DE', 30],
  ['AU', 22],
  ['JP', 14],
  ['GB', 16],
  ['CA', 10],
  ['FI', 8],
] as const;
const DEST_LANGUAGE: Record<string, string> = { DE: 'de', AU: 'en', JP: 'ja', GB: 'en', CA: 'en', FI: 'fi' };
const CEFR = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
const GIVEN = [
  'Maria',
  'Jose',
  'Ana',
  'Ramon',
  'Siosaia',
  'Mele',
  'Priya',
  'Arjun',
  'Nguyen',
  'Thi',
  'Kwame',
  'Amina',
  'Sione',
  'Losana',
  'Dewi',
  'Budi',
];
const FAMILY = [
  'Santos',
  'Reyes',
  'Cruz',
  'Fifita',
  'Tupou',
  'Sharma',
  'Patel',
  'Tran',
  'Le',
  'Mensah',
  'Okafor',
  'Vaka',
  'Naidu',
  'Wijaya',
];

export function* generateTrainees(count: number, seed = 1, owner = 'gen'): Generator<TraineeProfileInput> {
  const r = prng(seed);
  for (let i = 0; i < count; i++) {
    const nationality = weighted(r, ORIGINS);
    const occ = weighted(
      r,
      OCCUPATIONS.map(([code, , w]) => [code, w] as const),
    );
    const health = HEALTH.has(occ);
    const age = 20 + Math.floor(r() ** 1.6 * 26); // skewed young, 20-45
    const birthYear = 2026 - age;
    const dest1 = weighted(r, DESTINATIONS);
    const destinations =
      r() < 0.4 ? [dest1, weighted(r, DESTINATIONS)].filter((d, k, a) => a.indexOf(d) === k) : [dest1];
    const englishLevel =
      CEFR[
        Math.min(
          5,
          Math.floor(r() * 4) + (nationality === 'PH' || nationality === 'IN' || nationality === 'FJ' ? 2 : 1),
        )
      ]!;
    const languages: NonNullable<TraineeProfileInput['languages']> = [];
    if (r() < 0.35) {
      const overall = Math.min(9, 5 + Math.floor(r() * 7) * 0.5);
      languages.push({
        language: 'en',
        test: {
          name: 'IELTS',
          module: r() < 0.7 ? 'academic' : 'general',
          overall,
          bands: { listening: overall, reading: overall, writing: Math.max(4, overall - 0.5), speaking: overall },
          date: isoDate(2025, 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)),
        },
      });
    } else {
      languages.push({ language: 'en', cefr: englishLevel });
    }
    const destLanguage = DEST_LANGUAGE[dest1]!;
    if (destLanguage === 'ja') {
      languages.push({ language: 'ja', test: { name: 'JLPT', level: pick(r, ['N5', 'N4', 'N4', 'N3', 'N2']) } });
    } else if (destLanguage !== 'en') {
      const level = CEFR[Math.floor(r() ** 1.3 * 5)]!;
      languages.push(
        destLanguage === 'de' && r() < 0.6
          ? { language: 'de', test: { name: 'Goethe', level } }
          : { language: destLanguage, cefr: level },
      );
    }
    const gradYear = birthYear + 21 + Math.floor(r() * 3);
    const expMonths = Math.max(0, Math.min(2026 - gradYear, 20) * 12 - Math.floor(r() * 18));
    const from = isoDate(Math.min(2025, gradYear + 1), 1 + Math.floor(r() * 12), 1);
    const earliestStart = isoDate(2026 + Math.floor(r() * 2), 1 + Math.floor(r() * 12), 1);
    yield {
      externalRef: `${owner}-${seed}-${i}`,
      givenName: pick(r, GIVEN),
      familyName: pick(r, FAMILY),
      email: `trainee${i}@example.org`,
      dateOfBirth: isoDate(birthYear, 1 + Math.floor(r() * 12), 1 + Math.floor(r() * 28)),
      nationality,
      residence: nationality,
      occupation: { isco08: occ },
      qualifications: [
        {
          iscedLevel: occ.startsWith('2') ? 6 : occ.startsWith('3') ? 5 : 4,
          durationYears: occ.startsWith('2') ? 4 : 2,
          country: nationality,
          awarded: isoDate(gradYear, 6, 1),
          recognition: [
            { destination: dest1, status: pick(r, ['none', 'none', 'in_progress', 'partial', 'full'] as const) },
          ],
        },
      ],
      languages,
      experience: expMonths > 0 ? [{ isco08: occ, country: nationality, from, months: expMonths }] : [],
      ...(health && r() < 0.5 ? { certifications: [{ code: 'nurse-licence', date: isoDate(gradYear, 9, 1) }] } : {}),
      preferences: { destinations, earliestStart },
      programme: {
        cohort: `${2026 + Math.floor(r() * 2)}-${pick(r, ['A', 'B'])}`,
        track: pick(r, ['home', 'away', 'away', 'undecided'] as const),
      },
      consent: { shareProfileWithEmployers: r() < 0.3, contactByEmail: r() < 0.8 },
    };
  }
}

const PATHWAYS_BY_DEST: Record<string, readonly string[]> = {
  DE: ['de-skilled-worker', 'de-recognition-partnership', 'de-blue-card'],
  AU: ['au-482-core', 'au-186-trt', 'au-189'],
  JP: ['jp-ssw-nursing-care', 'jp-epa-care-worker'],
  GB: ['uk-skilled-worker'],
  CA: ['ca-fsw'],
  FI: ['fi-employed-person'],
};
const CURRENCY: Record<string, { currency: string; annual: number }> = {
  DE: { currency: 'EUR', annual: 48_000 },
  AU: { currency: 'AUD', annual: 82_000 },
  JP: { currency: 'JPY', annual: 3_600_000 },
  GB: { currency: 'GBP', annual: 38_000 },
  CA: { currency: 'CAD', annual: 68_000 },
  FI: { currency: 'EUR', annual: 36_000 },
};

export function* generateVacancies(
  count: number,
  seed = 2,
  owner = 'gen',
): Generator<Omit<VacancyInput, 'status' | 'requirements'> & { requirements: VacancyInput['requirements'] }> {
  const r = prng(seed);
  for (let i = 0; i < count; i++) {
    const destination = weighted(r, DESTINATIONS);
    const [isco08, sector] = (() => {
      const o = weighted(
        r,
        OCCUPATIONS.map((x) => [x, x[2]] as const),
      );
      return [o[0], o[1]] as const;
    })();
    const pay = CURRENCY[destination]!;
    const language = DEST_LANGUAGE[destination]!;
    yield {
      externalRef: `${owner}-v-${seed}-${i}`,
      title: `Vacancy ${isco08} in ${destination}`,
      headcount: weighted(r, [
        [1, 50],
        [2, 20],
        [5, 15],
        [10, 10],
        [30, 5],
      ] as const),
      sector,
      isco08,
      destination,
      salary: { amount: Math.round(pay.annual * (0.85 + r() * 0.5)), currency: pay.currency, period: 'year' },
      hoursPerWeek: 38 + Math.floor(r() * 3),
      contract: { type: r() < 0.7 ? 'permanent' : 'fixed_term', months: 24 },
      startDate: isoDate(2026 + Math.floor(r() * 2), 1 + Math.floor(r() * 12), 1),
      sponsor: true,
      requirements: {
        languages:
          language === 'ja'
            ? [{ language: 'ja', cefr: 'A2' }]
            : [{ language, cefr: pick(r, ['B1', 'B1', 'B2'] as const) }],
        minExperienceMonths: pick(r, [0, 12, 24]),
      },
      pathways: [...PATHWAYS_BY_DEST[destination]!],
      costSharing: {
        employerPaysTraining: r() < 0.6,
        employerPaysTravel: r() < 0.8,
        employerPaysVisa: r() < 0.9,
        workerFees: 0,
      },
    };
  }
}
