import type { EligibilityResult } from '@corridor/domain';
import type { RulePack } from './schema.ts';

export interface ValueChange {
  path: string;
  before: unknown;
  after: unknown;
}
export interface PackDiff {
  /** Pack-level fields that changed (version, dates, pass mark, verification, sources, …). */
  pack: ValueChange[];
  added: { id: string; criterion: unknown }[];
  removed: { id: string; criterion: unknown }[];
  changed: { id: string; changes: ValueChange[] }[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf-level differences between two JSON values, with before/after values. */
function deepDiff(a: unknown, b: unknown, path: string, out: ValueChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) deepDiff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) deepDiff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (a !== b) out.push({ path, before: a, after: b });
}

/** What changed between two versions of a pack: criteria added, removed and changed (by id). */
export function diffPacks(before: RulePack, after: RulePack): PackDiff {
  const { criteria: ca, ...restA } = before;
  const { criteria: cb, ...restB } = after;
  const pack: ValueChange[] = [];
  deepDiff(restA, restB, '', pack);
  const oldById = new Map(ca.map((c) => [c.id, c]));
  const newById = new Map(cb.map((c) => [c.id, c]));
  const added = cb.filter((c) => !oldById.has(c.id)).map((c) => ({ id: c.id, criterion: c }));
  const removed = ca.filter((c) => !newById.has(c.id)).map((c) => ({ id: c.id, criterion: c }));
  const changed: PackDiff['changed'] = [];
  for (const c of cb) {
    const o = oldById.get(c.id);
    if (!o) continue;
    const changes: ValueChange[] = [];
    deepDiff(o, c, '', changes);
    if (changes.length > 0) changed.push({ id: c.id, changes });
  }
  return { pack, added, removed, changed };
}

/** Criterion ids whose status differs between two results (criteria present in only one count too). */
export function flippedCriteria(before: EligibilityResult, after: EligibilityResult): string[] {
  const old = new Map(before.criteria.map((c) => [c.id, c.status]));
  const flipped: string[] = [];
  const seen = new Set<string>();
  for (const c of after.criteria) {
    seen.add(c.id);
    if (old.get(c.id) !== c.status) flipped.push(c.id);
  }
  for (const id of old.keys()) if (!seen.has(id)) flipped.push(id);
  return flipped;
}
