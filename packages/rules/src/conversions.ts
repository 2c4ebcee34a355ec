import type { LanguageTest } from '@corridor/domain';
import conversions from '../data/language-conversions.json' with { type: 'json' };
import type { SkillMinimums } from './schema.ts';

/** The conversion tables as shipped (with their sources and verification levels). */
export const LANGUAGE_CONVERSIONS = conversions;

export const CEFR = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
/** A1 → 1 … C2 → 6; 0 means "no level". */
export const cefrRankOf = (level: string): number => CEFR.indexOf(level as (typeof CEFR)[number]) + 1;
export const cefrName = (rank: number): string => (rank <= 0 ? 'no level' : CEFR[rank - 1]!);

const SKILLS = ['listening', 'reading', 'writing', 'speaking'] as const;
type Skill = (typeof SKILLS)[number];

const IELTS_CEFR = conversions.ieltsToCefr.bands.map((b) => ({ min: b.min, rank: cefrRankOf(b.cefr) }));

/** IELTS overall band → CEFR rank (approximate, IELTS partners' guidance); below 4.0 → 0. */
export function ieltsToCefrRank(band: number): number {
  for (const b of IELTS_CEFR) if (band >= b.min) return b.rank;
  return 0;
}

const CLB_CEFR = conversions.clbToCefr.bands.map((b) => ({ min: b.minClb, rank: cefrRankOf(b.cefr) }));
export function clbToCefrRank(clb: number): number {
  for (const b of CLB_CEFR) if (clb >= b.min) return b.rank;
  return 0;
}

/**
 * A test result → CEFR rank, or -1 where there is no sourced conversion (PTE, TOEFL, OET, JLPT, TestDaF, …):
 * such a result does not silently count as any level.
 */
export function testToCefrRank(test: LanguageTest): number {
  switch (test.name) {
    case 'IELTS': {
      const overall = test.overall ?? minBand(test);
      return overall === undefined ? -1 : ieltsToCefrRank(overall);
    }
    case 'Goethe':
    case 'telc':
    case 'OSD':
    case 'YKI':
    case 'TEF':
    case 'TCF':
      return test.level ? cefrRankOf(test.level) : -1;
    case 'JFT-Basic':
      return test.level === 'A2' ? 2 : -1;
    case 'CELPIP': {
      const clb = celpipClbMin(test);
      return clb === undefined ? -1 : clbToCefrRank(clb);
    }
    default:
      return -1;
  }
}

function minBand(test: LanguageTest): number | undefined {
  const b = test.bands;
  if (!b) return undefined;
  const { listening, reading, writing, speaking } = b;
  if (listening === undefined || reading === undefined || writing === undefined || speaking === undefined)
    return undefined;
  return Math.min(listening, reading, writing, speaking);
}

function celpipClbMin(test: LanguageTest): number | undefined {
  const m = minBand(test);
  return m ?? test.overall;
}

/**
 * Do the scores meet per-skill minimums? `undefined` when a needed score is missing.
 */
export function meetsSkillMinimums(test: LanguageTest, mins: SkillMinimums): boolean | undefined {
  if (mins.overall !== undefined) {
    if (test.overall === undefined) return undefined;
    if (test.overall < mins.overall) return false;
  }
  let unknown = false;
  for (const skill of SKILLS) {
    const need = mins[skill] ?? mins.each;
    if (need === undefined) continue;
    const have = test.bands?.[skill];
    if (have === undefined) {
      unknown = true;
      continue;
    }
    if (have < need) return false;
  }
  return unknown ? undefined : true;
}

export type MinimumsCheck = (test: LanguageTest) => boolean | undefined;
/**
 * `meetsSkillMinimums` for fixed minimums, compiled once: direct property reads instead of a loop over skill
 * names (same order of checks, so the same answer).
 */
export function compileMinimums(mins: SkillMinimums): MinimumsCheck {
  const overall = mins.overall;
  const l = mins.listening ?? mins.each;
  const r = mins.reading ?? mins.each;
  const w = mins.writing ?? mins.each;
  const s = mins.speaking ?? mins.each;
  return (test) => {
    if (overall !== undefined) {
      if (test.overall === undefined) return undefined;
      if (test.overall < overall) return false;
    }
    const b = test.bands;
    let unknown = false;
    if (l !== undefined) {
      const v = b?.listening;
      if (v === undefined) unknown = true;
      else if (v < l) return false;
    }
    if (r !== undefined) {
      const v = b?.reading;
      if (v === undefined) unknown = true;
      else if (v < r) return false;
    }
    if (w !== undefined) {
      const v = b?.writing;
      if (v === undefined) unknown = true;
      else if (v < w) return false;
    }
    if (s !== undefined) {
      const v = b?.speaking;
      if (v === undefined) unknown = true;
      else if (v < s) return false;
    }
    return unknown ? undefined : true;
  };
}

/** Australian English levels: 0 none, 1 vocational, 2 competent, 3 proficient, 4 superior. */
export const AU_LEVEL_RANK = { none: 0, vocational: 1, competent: 2, proficient: 3, superior: 4 } as const;
const AU_LEVELS_DESC = ['superior', 'proficient', 'competent', 'vocational'] as const;
type AuTable = Partial<Record<string, Partial<Record<(typeof AU_LEVELS_DESC)[number], SkillMinimums>>>>;
const AU_NEW = conversions.australia.from2025_08_07 as AuTable;
const AU_OLD = conversions.australia.before2025_08_07 as AuTable;
export const AU_SWITCH = conversions.australia.switchDate;

/**
 * A test → Australian level rank, using the table for the test date (7 Aug 2025 switch); without a test
 * date, `fallbackDate` (the as-of date) picks the table. -1: not convertible or scores missing.
 */
export function testToAuLevel(test: LanguageTest, fallbackDate: string): number {
  const table = ((test.date ?? fallbackDate) >= AU_SWITCH ? AU_NEW_COMPILED : AU_OLD_COMPILED).get(test.name);
  if (table === undefined) return -1;
  let sawUnknown = false;
  for (let i = 0; i < table.length; i++) {
    const ok = table[i]!.meets(test);
    if (ok === true) return table[i]!.rank;
    if (ok === undefined) sawUnknown = true;
  }
  return sawUnknown ? -1 : 0;
}
/** Per test name, its levels from the highest down with compiled minimums. */
function compileAuTable(t: AuTable): Map<string, { rank: number; meets: MinimumsCheck }[]> {
  const out = new Map<string, { rank: number; meets: MinimumsCheck }[]>();
  for (const [name, levels] of Object.entries(t)) {
    if (!levels) continue;
    const rows: { rank: number; meets: MinimumsCheck }[] = [];
    for (const level of AU_LEVELS_DESC) {
      const mins = levels[level];
      if (mins) rows.push({ rank: AU_LEVEL_RANK[level], meets: compileMinimums(mins) });
    }
    out.set(name, rows);
  }
  return out;
}
const AU_NEW_COMPILED = compileAuTable(AU_NEW);
const AU_OLD_COMPILED = compileAuTable(AU_OLD);

const CLB_TABLE = Object.entries(conversions.canadaClbIeltsGeneral.table)
  .map(([clb, mins]) => ({ clb: Number(clb), mins: mins as Record<Skill, number> }))
  .sort((a, b) => b.clb - a.clb);

/** Per skill, [minimum band, CLB] from the highest CLB down. */
const clbRows = (skill: Skill): number[] => CLB_TABLE.flatMap((row) => [row.mins[skill], row.clb]);
const CLB_LISTENING = clbRows('listening');
const CLB_READING = clbRows('reading');
const CLB_WRITING = clbRows('writing');
const CLB_SPEAKING = clbRows('speaking');
function ieltsClb(rows: readonly number[], band: number): number {
  for (let i = 0; i < rows.length; i += 2) if (band >= rows[i]!) return rows[i + 1]!;
  return 0;
}

/**
 * CLB per ability [listening, reading, writing, speaking] from IELTS General Training or CELPIP-General.
 * `undefined` when the test is not one IRCC accepts here (IELTS Academic), or bands/module are missing.
 */
export function testToClb(test: LanguageTest): [number, number, number, number] | undefined {
  const b = test.bands;
  if (!b) return undefined;
  const { listening, reading, writing, speaking } = b;
  if (listening === undefined || reading === undefined || writing === undefined || speaking === undefined)
    return undefined;
  if (test.name === 'IELTS') {
    if (test.module !== 'general') return undefined;
    return [
      ieltsClb(CLB_LISTENING, listening),
      ieltsClb(CLB_READING, reading),
      ieltsClb(CLB_WRITING, writing),
      ieltsClb(CLB_SPEAKING, speaking),
    ];
  }
  if (test.name === 'CELPIP')
    return [Math.floor(listening), Math.floor(reading), Math.floor(writing), Math.floor(speaking)];
  return undefined;
}

const JLPT_RANK: Record<string, number> = { N5: 1, N4: 2, N3: 3, N2: 4, N1: 5 };
/** JLPT N5 → 1 … N1 → 5. */
export const jlptRank = (level: string): number => JLPT_RANK[level] ?? 0;
