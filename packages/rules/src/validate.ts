import type { z } from 'zod';
import { compilePack } from './compile.ts';
import { RulePack } from './schema.ts';

export interface PackError {
  /** Dotted field path, e.g. `criteria.3.tiers.0.thresholds.1.amount`. */
  path: string;
  message: string;
}
export type ValidationResult = { ok: true; pack: RulePack } | { ok: false; errors: PackError[] };

export const formatIssues = (error: z.ZodError): PackError[] =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));

/** Validate pack JSON against the schema (field-path errors), then check that it compiles. */
export function validatePack(json: unknown): ValidationResult {
  const r = RulePack.safeParse(json);
  if (!r.success) return { ok: false, errors: formatIssues(r.error) };
  try {
    compilePack(r.data);
  } catch (e) {
    return { ok: false, errors: [{ path: '(root)', message: `does not compile: ${(e as Error).message}` }] };
  }
  return { ok: true, pack: r.data };
}
