import type { Qualification } from '@corridor/domain';
import { FALSE, TRUE, UNKNOWN } from '../conditions.ts';
import type { Facts } from '../facts.ts';
import { byPoints, type KindCompiled, type KindContext, NumberMemo } from './common.ts';

/**
 * The qualifications as quoted in a sentence ("ISCED 6 Nursing (4 yrs); ISCED 3"), built once per profile and
 * shared by every pack; with recognition in one destination (", recognition in DE: partial") once per
 * destination (packs are evaluated pathway by pathway, so the last destination is kept).
 */
function qualificationsShown(f: Facts, quals: readonly Qualification[]): string {
  let s = f.memo.qualifications;
  if (s === undefined) {
    s = quals.length === 0 ? 'no qualification listed' : '';
    for (let i = 0; i < quals.length; i++) {
      const shown = qualificationLabel(quals[i]!);
      s = s ? `${s}; ${shown}` : shown;
    }
    f.memo.qualifications = s;
  }
  return s;
}
function qualificationsShownIn(f: Facts, quals: readonly Qualification[], destination: string): string {
  const memo = f.memo;
  if (memo.qualificationsIn === destination && memo.qualificationsInShown !== undefined)
    return memo.qualificationsInShown;
  let s = quals.length === 0 ? 'no qualification listed' : '';
  for (let i = 0; i < quals.length; i++) {
    const q = quals[i]!;
    let shown = qualificationLabel(q);
    if (q.recognition !== undefined) {
      let status = 'none';
      for (const r of q.recognition) if (r.destination === destination) status = r.status;
      shown += `, recognition in ${destination}: ${status}`;
    }
    s = s ? `${s}; ${shown}` : shown;
  }
  memo.qualificationsIn = destination;
  memo.qualificationsInShown = s;
  return s;
}
/** Each qualification's field in lower case, once per profile. */
function lowerFields(f: Facts, quals: readonly Qualification[]): (string | undefined)[] {
  let fields = f.memo.qualificationFields;
  if (fields === undefined) {
    fields = new Array<string | undefined>(quals.length);
    for (let i = 0; i < quals.length; i++) fields[i] = quals[i]!.field?.toLowerCase();
    f.memo.qualificationFields = fields;
  }
  return fields;
}
/** Fields seen in qualifications, numbered from 1 (bounded: past the limit, profiles are not memoised). */
const FIELD_IDS = new Map<string, number>();
const smallInt = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n <= max;
/**
 * A number for everything a qualification check reads of a profile with at most one qualification (its ISCED
 * level, duration and field), once per profile; -1 when there are several or a value is out of range.
 */
function qualificationKey(f: Facts, quals: readonly Qualification[]): number {
  let key = f.memo.qualificationKey;
  if (key === undefined) {
    key = -1;
    if (quals.length === 0) key = 0;
    else if (quals.length === 1) {
      const q = quals[0]!;
      const d = q.durationYears;
      let fieldId = 0;
      if (q.field !== undefined) {
        fieldId = FIELD_IDS.get(q.field) ?? -1;
        if (fieldId < 0 && FIELD_IDS.size < 1023) {
          fieldId = FIELD_IDS.size + 1;
          FIELD_IDS.set(q.field, fieldId);
        }
      }
      if (fieldId >= 0 && smallInt(q.iscedLevel, 8) && (d === undefined || smallInt(d, 15)))
        key = 1 + (fieldId * 17 + (d === undefined ? 0 : d + 1)) * 9 + q.iscedLevel;
    }
    f.memo.qualificationKey = key;
  }
  return key;
}
/** Recognition of a qualification in one destination: 0 not given, 1 none, 2 in progress, 3 partial, 4 full. */
const STATUS_CODES: Record<string, number> = { none: 1, in_progress: 2, partial: 3, full: 4 };

const qualificationLabel = (q: Qualification): string =>
  `ISCED ${q.iscedLevel}${q.field ? ` ${q.field}` : ''}${q.durationYears !== undefined ? ` (${q.durationYears} yrs)` : ''}`;

export function compileQualification({ c, pack, suffix }: KindContext<'qualification'>): KindCompiled {
  const destination = pack.destination;
  const recognition = c.recognition ? new Set<string>(c.recognition) : undefined;
  const fields = (c.fieldIncludes ?? []).map((s) => s.toLowerCase());
  const rows = [...(c.pointsByIsced ?? [])].sort((a, b) => b.minIsced - a.minIsced);
  const maxPoints = Math.max(0, ...rows.map((r) => r.points));
  const pts = (isced: number) => {
    for (const r of rows) if (isced >= r.minIsced) return r.points;
    return 0;
  };
  const need = `a qualification at ISCED ${c.minIsced}+${c.minDurationYears ? ` of ${c.minDurationYears}+ years` : ''}${fields.length ? ` in ${c.fieldIncludes!.join('/')}` : ''}${recognition ? ` recognised in ${destination} (${c.recognition!.join('/')})` : ''}`;
  const threshold =
    c.minIsced > 0 || recognition !== undefined || fields.length > 0 || c.minDurationYears !== undefined;
  const isThreshold = rows.length === 0 || (threshold && c.decisive !== false);
  const notGiven = `qualifications not given; needs ${need}${suffix}`;
  const OPEN = ' (missing details on a qualification)';
  const needTail = `; needs ${need}${suffix}`;
  const needTailOpen = `; needs ${need}${OPEN}${suffix}`;
  const minDuration = c.minDurationYears;
  const minIsced = c.minIsced;
  // Outcomes of profiles with at most one qualification, by its key and its recognition here.
  const byKey = new NumberMemo();
  return {
    hasPoints: rows.length > 0,
    threshold: rows.length === 0 ? true : threshold && c.decisive !== false,
    maxPoints,
    check: (f, o) => {
      o.need = need;
      const quals = f.profile.qualifications;
      if (quals === undefined) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = notGiven;
        o.have = 'not given';
        return;
      }
      let key = qualificationKey(f, quals);
      if (key > 0 && recognition !== undefined) {
        const given = quals[0]!.recognition;
        let status = 0;
        if (given !== undefined) {
          let s = 'none';
          for (const r of given) if (r.destination === destination) s = r.status;
          status = STATUS_CODES[s] ?? -1;
        }
        key = status < 0 ? -1 : key * 8 + status;
      } else if (key > 0) key *= 8;
      if (key >= 0) {
        const hit = byKey.get(f, key);
        if (hit !== undefined) return hit;
      }
      let met = false;
      let open = false;
      let bestKnown = -1;
      let bestOpen = -1;
      const lower = fields.length > 0 ? lowerFields(f, quals) : undefined;
      for (let qi = 0; qi < quals.length; qi++) {
        const q = quals[qi]!;
        let t: number = q.iscedLevel >= minIsced ? TRUE : FALSE;
        if (t !== FALSE && minDuration !== undefined)
          t = q.durationYears === undefined ? UNKNOWN : q.durationYears >= minDuration ? t : FALSE;
        if (t !== FALSE && fields.length > 0) {
          const field = lower![qi];
          if (field === undefined) t = UNKNOWN;
          else {
            let hit = false;
            for (let i = 0; i < fields.length; i++) if (field.includes(fields[i]!)) hit = true;
            if (!hit) t = FALSE;
          }
        }
        if (t !== FALSE && recognition !== undefined) {
          if (q.recognition === undefined) t = UNKNOWN;
          else {
            let status = 'none';
            for (const r of q.recognition) if (r.destination === destination) status = r.status;
            if (!recognition.has(status)) t = FALSE;
          }
        }
        if (t === TRUE) {
          met = true;
          bestKnown = Math.max(bestKnown, pts(q.iscedLevel));
        } else if (t === UNKNOWN) {
          open = true;
          bestOpen = Math.max(bestOpen, pts(q.iscedLevel));
        }
      }
      const have =
        recognition === undefined ? qualificationsShown(f, quals) : qualificationsShownIn(f, quals, destination);
      o.points = Math.max(0, bestKnown);
      if (bestOpen > o.points) o.upside = bestOpen - o.points;
      if (isThreshold) o.status = met ? 'met' : open ? 'unknown' : 'unmet';
      else byPoints(o);
      o.detail =
        rows.length > 0
          ? `${have}; ${o.points} points${open && !met ? OPEN : ''}${suffix}`
          : have + (open && !met ? needTailOpen : needTail);
      o.have = have;
      if (key >= 0) byKey.record(key, o);
      return undefined;
    },
  };
}
