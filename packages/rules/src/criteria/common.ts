import type { Facts } from '../facts.ts';
import type { Criterion, RulePack } from '../schema.ts';

/** What one criterion check writes; a scratch object reused across evaluations. */
export interface Out {
  status: 'met' | 'unmet' | 'unknown';
  /** The full detail sentence, caveat suffix included. */
  detail: string;
  need: string;
  have: string;
  /** Points known now (unknowns count 0). */
  points: number;
  /** Further points possible if the unknowns resolve favourably. */
  upside: number;
}
/**
 * Writes the outcome into the scratch `o`, or returns a memoised outcome (which must not be modified);
 * `undefined` means "read `o`".
 */
export type Check = (f: Facts, o: Out) => Out | undefined;
export interface KindCompiled {
  check: Check;
  hasPoints: boolean;
  /** Decisive unless the pack says otherwise: has a threshold, not only points. */
  threshold: boolean;
  maxPoints: number;
  /**
   * For a kind whose check reads the job offer's terms: what of the offer its outcome turns on, as a short string
   * (see `CompiledPack.offerClass`). Two offers with the same string give every person the same status and points;
   * only the sentences, which quote the offer, may differ. Reads `f.offer` and `f.asOf`, never the person.
   */
  offerClass?: (f: Facts) => string;
}
/**
 * What a kind compiler gets: the criterion, its pack, and the caveat suffix (verification mark and caveat)
 * that ends every detail sentence, so that fixed sentences are built once, here, with it.
 */
export interface KindContext<C extends Criterion['kind'] = Criterion['kind']> {
  c: Extract<Criterion, { kind: C }>;
  pack: RulePack;
  suffix: string;
}

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  de: 'German',
  ja: 'Japanese',
  fi: 'Finnish',
  sv: 'Swedish',
  fr: 'French',
};
export const languageName = (code: string): string => LANGUAGE_NAMES[code] ?? code;

/** "000" … "999": the groups of a grouped amount. */
const GROUPS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** 52000 → "52,000"; 45934.2 → "45,934.20". No Intl in the hot path. */
export function formatAmount(n: number): string {
  const cents = Math.round(n * 100);
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  let s: string;
  if (whole >= 1000 && whole < 1e15) {
    // Groups of three by arithmetic, from a table: no digit string to cut up.
    let w = Math.floor(whole / 1000);
    s = GROUPS[whole - w * 1000]!;
    while (w >= 1000) {
      const next = Math.floor(w / 1000);
      s = `${GROUPS[w - next * 1000]!},${s}`;
      w = next;
    }
    s = `${w},${s}`;
  } else s = String(whole);
  if (whole >= 1e15) {
    let out = '';
    while (s.length > 3) {
      out = `,${s.slice(-3)}${out}`;
      s = s.slice(0, -3);
    }
    s += out;
  }
  return frac === 0 ? s : `${s}.${frac < 10 ? '0' : ''}${frac}`;
}

export const plural = (n: number): string => (n === 1 ? '1 point' : `${n} points`);
export const byPoints = (o: Out): void => {
  o.status = o.points > 0 ? 'met' : o.upside > 0 ? 'unknown' : 'unmet';
};

/** A kept outcome: created with the scratch object's property order, so both share one shape. */
export const copyOut = (o: Out): Out => ({
  status: o.status,
  detail: o.detail,
  need: o.need,
  have: o.have,
  points: o.points,
  upside: o.upside,
});

/**
 * The tables of a memo, one per as-of date (outcomes quote their date), for the last `MEMO_DATES` dates used:
 * matching evaluates each pair as of its vacancy's start date, so the dates alternate from one call to the next,
 * and a memo that kept one date lost everything at each change. More dates than that and all are dropped, so
 * arbitrary input cannot grow it without bound.
 */
export const MEMO_DATES = 48;
class TablesByDate<T> {
  private readonly tables = new Map<string, T>();
  private asOf = '';
  private current: T | undefined;
  constructor(private readonly create: () => T) {}

  /** The table for `asOf`, created when new. */
  on(asOf: string): T {
    if (asOf === this.asOf) return this.current!;
    let table = this.tables.get(asOf);
    if (table === undefined) {
      if (this.tables.size >= MEMO_DATES) this.tables.clear();
      table = this.create();
      this.tables.set(asOf, table);
    }
    this.asOf = asOf;
    this.current = table;
    return table;
  }

  /** The table for `asOf`; call only after `on(asOf)`, as every `record` follows a `get`. */
  get last(): T {
    return this.current!;
  }
}

/**
 * Check outcomes memoised by a key that captures every fact the check reads (small domains: an age, CEFR
 * ranks, CLB levels, a nationality). A hit returns the finished outcome without building a string; the
 * slow path is the plain check. Outcomes are kept per as-of date (see `TablesByDate`); a date's table is emptied
 * when it grows past its limit.
 */
export class Memo<K extends number | string = number> {
  private readonly byDate = new TablesByDate(() => new Map<K, Out>());
  constructor(private readonly limit = 4096) {}

  /** The outcome for `key` on the facts' as-of date, if recorded. */
  get(f: Facts, key: K): Out | undefined {
    return this.byDate.on(f.asOf).get(key);
  }

  /** Record what the slow path wrote into `o` for `key` (on the date of the `get` that missed). */
  record(key: K, o: Out): void {
    const map = this.byDate.last;
    if (map.size >= this.limit) map.clear();
    map.set(key, copyOut(o));
  }
}

/**
 * Values by whole-number keys (0 … 2^30), in an open-addressed table: a typed array of keys probed linearly,
 * so a lookup is a multiply and a few loads and compares where a Map hashes and walks its buckets. At most
 * half full; emptied when it holds `limit` entries, so that its memory stays bounded. Negative keys are never
 * found nor kept.
 */
export class IntTable<V> {
  private keys = new Int32Array(16).fill(-1);
  private values = new Array<V | undefined>(16).fill(undefined);
  private size = 0;
  constructor(private readonly limit = 4096) {}

  get(key: number): V | undefined {
    if (key < 0) return undefined;
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = slotOf(key) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return this.values[i];
      if (k === -1) return undefined;
      i = (i + 1) & mask;
    }
  }

  /** Keep `value` for `key`, which `get` has just not found. */
  set(key: number, value: V): void {
    if (key < 0 || key > MAX_INT_KEY) return;
    if (this.size >= this.limit) this.clear();
    if ((this.size + 1) * 2 > this.keys.length) {
      const keys = this.keys;
      const values = this.values;
      this.keys = new Int32Array(keys.length * 2).fill(-1);
      this.values = new Array<V | undefined>(keys.length * 2).fill(undefined);
      for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.put(keys[i]!, values[i]!);
    }
    this.put(key, value);
    this.size++;
  }

  clear(): void {
    if (this.size === 0) return;
    this.keys.fill(-1);
    this.values.fill(undefined);
    this.size = 0;
  }

  private put(key: number, value: V): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = slotOf(key) & mask;
    while (keys[i] !== -1) i = (i + 1) & mask;
    keys[i] = key;
    this.values[i] = value;
  }
}
export const MAX_INT_KEY = 0x3fffffff;
const slotOf = (key: number): number => {
  const h = Math.imul(key, 0x9e3779b1);
  return h ^ (h >>> 16);
};

/** `Memo` for whole-number keys: in an `IntTable` up to 2^30, in a Map beyond; per as-of date. */
export class NumberMemo {
  private readonly byDate = new TablesByDate(() => ({ table: new IntTable<Out>(), wide: new Map<number, Out>() }));

  get(f: Facts, key: number): Out | undefined {
    const { table, wide } = this.byDate.on(f.asOf);
    return key > MAX_INT_KEY ? wide.get(key) : table.get(key);
  }

  /** Record what the slow path wrote into `o` for `key` (on the date of the `get` that missed). */
  record(key: number, o: Out): void {
    const { table, wide } = this.byDate.last;
    if (key <= MAX_INT_KEY) table.set(key, copyOut(o));
    else {
      if (wide.size >= 4096) wide.clear();
      wide.set(key, copyOut(o));
    }
  }
}

/** The same for whole-number keys below `size`, in an array per as-of date. */
export class DenseMemo {
  private readonly byDate: TablesByDate<(Out | undefined)[]>;
  constructor(readonly size: number) {
    this.byDate = new TablesByDate(() => new Array<Out | undefined>(size).fill(undefined));
  }

  get(f: Facts, key: number): Out | undefined {
    return this.byDate.on(f.asOf)[key];
  }

  /** Record what the slow path wrote into `o` for `key` (on the date of the `get` that missed). */
  record(key: number, o: Out): void {
    this.byDate.last[key] = copyOut(o);
  }
}

/**
 * A check memoised by `keyOf` (which must read every fact `slow` reads; -1 bypasses the memo). Whole-number
 * keys below `dense` are looked up in an array, others in a map.
 */
export function memoised(keyOf: (f: Facts) => number, slow: Check, dense = 0): Check {
  const small = new DenseMemo(dense);
  const large = new NumberMemo();
  return (f, o) => {
    const key = keyOf(f);
    if (key < 0) return slow(f, o);
    if (key < dense) {
      const hit = small.get(f, key);
      if (hit !== undefined) return hit;
      slow(f, o);
      small.record(key, o);
      return undefined;
    }
    const hit = large.get(f, key);
    if (hit !== undefined) return hit;
    slow(f, o);
    large.record(key, o);
    return undefined;
  };
}

export type { Facts };
