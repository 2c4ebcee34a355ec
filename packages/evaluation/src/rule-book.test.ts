import { createRuleBook, type RulePack, shippedPacks } from '@corridor/rules';
import { describe, expect, it } from 'vitest';
import { addDays, composePacks, versionsTakingEffect } from './rule-book.ts';

const uk = shippedPacks().filter((p) => p.id === 'uk-skilled-worker');
const version = (p: RulePack, v: string, from: string, to: string | null): RulePack => ({
  ...p,
  version: v,
  effectiveFrom: from,
  effectiveTo: to,
});
const windows = (packs: RulePack[], id = 'uk-skilled-worker') =>
  packs
    .filter((p) => p.id === id)
    .map((p) => `${p.version}:${p.effectiveFrom}..${p.effectiveTo ?? ''}`)
    .sort();

describe('addDays', () => {
  it('crosses month, year and leap-day boundaries', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });
});

describe('composePacks: a published version supersedes from its effectiveFrom', () => {
  it('keeps the shipped history (2024-04-04, 2025-07-22, 2026-01-08) when nothing is published', () => {
    expect(windows(composePacks(uk, []))).toEqual([
      '2024-04-04:2024-04-04..2025-07-21',
      '2025-07-22:2025-07-22..2026-01-07',
      '2026-01-08:2026-01-08..',
    ]);
  });

  it('cuts the open-ended version the day before a later one', () => {
    const next = version(uk[2]!, '2026-06-01', '2026-06-01', null);
    const packs = composePacks(uk, [next]);
    expect(windows(packs)).toEqual([
      '2024-04-04:2024-04-04..2025-07-21',
      '2025-07-22:2025-07-22..2026-01-07',
      '2026-01-08:2026-01-08..2026-05-31',
      '2026-06-01:2026-06-01..',
    ]);
    const book = createRuleBook(packs);
    expect(book.get('uk-skilled-worker', '2026-05-31')!.version).toBe('2026-01-08');
    expect(book.get('uk-skilled-worker', '2026-06-01')!.version).toBe('2026-06-01');
  });

  it('drops versions wholly inside the window and resumes a cut version after a bounded window', () => {
    const correction = version(uk[1]!, '2025-07-22b', '2025-07-01', '2025-12-31');
    expect(windows(composePacks(uk, [correction]))).toEqual([
      '2024-04-04:2024-04-04..2025-06-30',
      '2025-07-22:2026-01-01..2026-01-07',
      '2025-07-22b:2025-07-01..2025-12-31',
      '2026-01-08:2026-01-08..',
    ]);
    const everything = version(uk[2]!, 'reset', '2020-01-01', null);
    expect(windows(composePacks(uk, [everything]))).toEqual(['reset:2020-01-01..']);
  });

  it('applies publications in order (a later one wins over an earlier one) and leaves other pathways alone', () => {
    const a = version(uk[2]!, 'a', '2026-06-01', null);
    const b = version(uk[2]!, 'b', '2026-03-01', null);
    const all = shippedPacks();
    const packs = composePacks(all, [a, b]);
    expect(windows(packs)).toEqual([
      '2024-04-04:2024-04-04..2025-07-21',
      '2025-07-22:2025-07-22..2026-01-07',
      '2026-01-08:2026-01-08..2026-02-28',
      'b:2026-03-01..',
    ]);
    expect(packs.filter((p) => p.id !== 'uk-skilled-worker')).toEqual(all.filter((p) => p.id !== 'uk-skilled-worker'));
    expect(() => createRuleBook(packs)).not.toThrow();
  });
});

describe('versionsTakingEffect', () => {
  it('names the pathways whose version changes on a date (the UK on 22 July 2025), and nothing on other days', () => {
    const book = createRuleBook(shippedPacks());
    expect(versionsTakingEffect(book, '2025-07-22')).toEqual([
      { pathwayId: 'uk-skilled-worker', fromVersion: '2024-04-04', toVersion: '2025-07-22' },
    ]);
    expect(versionsTakingEffect(book, '2025-07-23')).toEqual([]);
  });
});
