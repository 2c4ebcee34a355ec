import { z } from 'zod';
import {
  CEFR_LEVELS,
  ISIC_SECTIONS,
  isIsco08UnitGroup,
  isIsoCountry,
  isIsoCurrency,
  isIsoLanguage,
} from './codes/index.ts';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Arithmetic rather than Date parsing: this runs for every date of every ingested row. */
function isRealDate(s: string): boolean {
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The digit at s[i], or a number out of 0..9 if it is not one. */
const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const isDigit = (n: number) => n >= 0 && n <= 9;
/** DATE_PATTERN.test(s) && isRealDate(s), from the character codes: the answer for nearly every date ingested. */
function isWellFormedRealDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y0 = digit(s, 0);
  const y1 = digit(s, 1);
  const y2 = digit(s, 2);
  const y3 = digit(s, 3);
  const m0 = digit(s, 5);
  const m1 = digit(s, 6);
  const d0 = digit(s, 8);
  const d1 = digit(s, 9);
  if (!(isDigit(y0) && isDigit(y1) && isDigit(y2) && isDigit(y3))) return false;
  if (!(isDigit(m0) && isDigit(m1) && isDigit(d0) && isDigit(d1))) return false;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/**
 * A calendar date, YYYY-MM-DD, that exists (2026-02-30 is refused). One check doing what `.regex(...)` then
 * `.refine(isRealDate)` did, with the same issues in the same order (a malformed date gets both, neither stops
 * the enclosing object's refinements): it runs for every date of every ingested row, and two checks cost
 * about 1 µs a profile more.
 */
export const IsoDate = z
  .string()
  .check((ctx) => {
    const value = ctx.value;
    if (isWellFormedRealDate(value)) return;
    if (!DATE_PATTERN.test(value)) {
      ctx.issues.push({
        origin: 'string',
        code: 'invalid_format',
        format: 'regex',
        pattern: DATE_PATTERN.toString(),
        input: value,
        message: 'expected a date as YYYY-MM-DD',
        continue: true,
      });
    }
    if (!isRealDate(value)) {
      ctx.issues.push({ code: 'custom', input: value, message: 'not a real calendar date', continue: true });
    }
  })
  .meta({ pattern: DATE_PATTERN.source, format: 'date', example: '2026-01-15' });

export const CountryCode = z
  .string()
  .refine(isIsoCountry, 'expected an ISO 3166-1 alpha-2 country code such as PH or DE')
  .meta({ example: 'PH' });
export const LanguageCode = z
  .string()
  .refine(isIsoLanguage, 'expected an ISO 639-1 language code such as de or en')
  .meta({ example: 'de' });
export const CurrencyCode = z
  .string()
  .refine(isIsoCurrency, 'expected an ISO 4217 currency code such as EUR')
  .meta({ example: 'EUR' });
export const Isco08Code = z
  .string()
  .refine(isIsco08UnitGroup, 'expected an ISCO-08 4-digit unit group such as 2221')
  .meta({ example: '2221' });
export const CefrLevel = z.enum(CEFR_LEVELS);
export const IsicSection = z.enum(ISIC_SECTIONS);
export const IscedLevel = z.number().int().min(0).max(8);

export const NationalOccupationCode = z.object({
  system: z.string().min(1).max(32).meta({ example: 'ANZSCO' }),
  code: z.string().min(1).max(32),
});

export const Id = z.string().min(1).max(64);
export const PathwayId = z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/, 'expected a pathway id such as de-skilled-worker');

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type CefrLevel = z.infer<typeof CefrLevel>;
export type IsicSection = z.infer<typeof IsicSection>;
