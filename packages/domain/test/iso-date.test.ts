import { describe, expect, it } from 'vitest';
import { IsoDate, TraineeProfile } from '../src/index.ts';

// IsoDate is one hand-written check (it runs for every date of every ingested row); these pin the issues the
// former `.regex(...).refine(isRealDate)` pair reported, in the same order and with the same paths.
const issues = (value: unknown) => IsoDate.safeParse(value).error?.issues.map((i) => [i.code, i.message]);
const FORMAT = ['invalid_format', 'expected a date as YYYY-MM-DD'];
const REAL = ['custom', 'not a real calendar date'];

describe('IsoDate', () => {
  it('accepts real calendar dates from 1900 on', () => {
    for (const d of ['1900-01-01', '2000-02-29', '2024-02-29', '2026-12-31', '9999-12-31']) {
      expect(IsoDate.safeParse(d)).toEqual({ success: true, data: d });
    }
  });

  it('refuses dates that do not exist', () => {
    for (const d of [
      '2026-02-30',
      '1900-02-29',
      '2023-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ]) {
      expect(issues(d)).toEqual([REAL]);
    }
    expect(issues('1899-12-31')).toEqual([REAL]);
  });

  it('reports a malformed date as malformed and as not a real date, as the regex and refinement did', () => {
    expect(issues('2026-1-15')).toEqual([FORMAT, REAL]);
    expect(issues('abcd-ef-gh')).toEqual([FORMAT, REAL]);
    expect(issues('')).toEqual([FORMAT, REAL]);
    // a real date by Number()'s reading (full-width digits, a suffix), so only the format is wrong
    expect(issues('２０２６-01-15')).toEqual([FORMAT]);
    expect(issues('2026-01-15T00:00')).toEqual([FORMAT]);
    expect(issues('2026-01-15\n')).toEqual([FORMAT]);
    expect(issues(20260115)).toEqual([['invalid_type', 'Invalid input: expected string, received number']]);
  });

  it('keeps the enclosing object refinements running, with the same paths', () => {
    const r = TraineeProfile.safeParse({
      dateOfBirth: '2026-13-01',
      nationality: 'PH',
      occupation: { isco08: '2221' },
      experience: [
        { isco08: '2221', from: '2020-02-30', to: '2019-01-01' },
        { isco08: '2221', from: 'x' },
      ],
    });
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['dateOfBirth', 'not a real calendar date'],
      ['experience.0.from', 'not a real calendar date'],
      ['experience.0.to', 'ends before it starts'],
      ['experience.1.from', 'expected a date as YYYY-MM-DD'],
      ['experience.1.from', 'not a real calendar date'],
    ]);
  });

  it('describes itself in JSON Schema as before', () => {
    expect(IsoDate.toJSONSchema()).toMatchObject({ type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' });
  });
});
