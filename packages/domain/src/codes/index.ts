import countries from 'i18n-iso-countries';
import ISO6391 from 'iso-639-1';
import { ISCO08_ROWS } from './isco08.data.ts';

/** ISCO-08 unit groups (4-digit codes) and their ILO titles. */
export const ISCO08_UNIT_GROUPS: ReadonlyMap<string, string> = new Map(
  ISCO08_ROWS.filter(([, level]) => level === 4).map(([code, , title]) => [code, title]),
);
export const isIsco08UnitGroup = (code: string): boolean => ISCO08_UNIT_GROUPS.has(code);

// Sets built once: validation runs per field of every ingested row, so lookups must be O(1).
const COUNTRIES = new Set(Object.keys(countries.getAlpha2Codes()));
const LANGUAGES = new Set<string>(ISO6391.getAllCodes());
export const isIsoCountry = (code: string): boolean => COUNTRIES.has(code);
export const isIsoLanguage = (code: string): boolean => LANGUAGES.has(code);

// Node's ICU ships the ISO 4217 list, so no hand-written table is needed.
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const isIsoCurrency = (code: string): boolean => CURRENCIES.has(code);

export const CEFR_LEVELS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
export type CefrLevelCode = (typeof CEFR_LEVELS)[number];
/** A1 → 1 … C2 → 6; comparisons between levels go through this rank. */
export const cefrRank = (level: CefrLevelCode): number => CEFR_LEVELS.indexOf(level) + 1;

/** ISIC Rev. 4 sections. */
export const ISIC_SECTIONS = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
  'U',
] as const;
export type IsicSectionCode = (typeof ISIC_SECTIONS)[number];
