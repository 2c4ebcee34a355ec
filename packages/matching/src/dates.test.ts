import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochDay, monthsBetween } from './dates.ts';

describe('dates', () => {
  it('epochDay agrees with Date.UTC for every day from 1900 to 2200', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(epochDay(iso)).toBe(Math.floor(d.getTime() / 86_400_000));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('measures months in both directions', () => {
    expect(monthsBetween('2026-10-01', '2027-10-01')).toBeCloseTo(12, 1);
    expect(monthsBetween('2027-10-01', '2026-10-01')).toBeCloseTo(-12, 1);
  });
});
