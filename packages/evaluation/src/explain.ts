import { eligibilityProfileOf, type TraineeForEvaluation } from '@corridor/db';
import type { CriterionResult, EligibilityResult, EligibilityStatus } from '@corridor/domain';
import type { RuleBook } from '@corridor/rules';
import { profileHashOf, recordOf } from './evaluate.ts';

/** A stored result row as `eligibilityRepository.listForTrainee` returns it. */
export interface StoredResultRow {
  pathway_id: string;
  pack_version: string;
  status: EligibilityStatus;
  as_of: string;
  failed_criteria: string[];
  unknown_criteria: string[];
  points: number | null;
  profile_hash: string;
  evaluated_at: Date;
}

/**
 * How the explanation of a stored result was obtained:
 * - `reproduced`: the profile evaluated then is the profile stored now, and evaluating it with the recorded pack
 *   version as of the recorded date gives the recorded decision (the evaluator is deterministic): this is the
 *   explanation of the decision as it was made;
 * - `recomputed`: the profile has changed since (its re-evaluation is pending) or the recomputation no longer
 *   matches the record: criteria and gaps explain the current profile under the recorded pack version and date,
 *   while `status`, `failedCriteria` and `unknownCriteria` remain the record;
 * - `record_only`: the recorded pack version is no longer in the rule book: only the record is shown.
 */
export type ExplanationKind = 'reproduced' | 'recomputed' | 'record_only';

export interface StoredEligibilityView extends EligibilityResult {
  evaluatedAt: string;
  asOf: string;
  failedCriteria: string[];
  unknownCriteria: string[];
  explanation: ExplanationKind;
}

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A trainee's stored results, each explained again: the stored row is the record (status, pack version, as-of
 * date, failed and unknown criteria, points); the human explanation is recomputed from the profile with the
 * recorded pack version as of the recorded date (see `ExplanationKind`).
 */
export function explainStoredResults(
  book: RuleBook,
  trainee: Pick<TraineeForEvaluation, 'profile' | 'date_of_birth' | 'content_hash'>,
  rows: readonly StoredResultRow[],
): StoredEligibilityView[] {
  const profile = eligibilityProfileOf(trainee);
  const currentHash = profileHashOf(trainee.content_hash);
  return rows.map((row) => {
    const record = {
      evaluatedAt: row.evaluated_at.toISOString(),
      asOf: row.as_of,
      failedCriteria: row.failed_criteria,
      unknownCriteria: row.unknown_criteria,
    };
    const versions = book.versions(row.pathway_id);
    const summary = versions.find((v) => v.version === row.pack_version);
    const compiled = summary ? book.compiled(row.pathway_id, summary.effectiveFrom) : undefined;
    if (compiled !== undefined && compiled.pack.version === row.pack_version && profile !== undefined) {
      const result = compiled.evaluate(profile, row.as_of);
      const again = recordOf(result, '', row.as_of, currentHash);
      const reproduced =
        row.profile_hash === currentHash &&
        again.status === row.status &&
        again.points === row.points &&
        sameIds(again.failed_criteria, row.failed_criteria) &&
        sameIds(again.unknown_criteria, row.unknown_criteria);
      if (reproduced) return { ...result, ...record, explanation: 'reproduced' };
      const points =
        result.points !== undefined
          ? { total: row.points ?? result.points.total, passMark: result.points.passMark }
          : undefined;
      const view: StoredEligibilityView = { ...result, status: row.status, ...record, explanation: 'recomputed' };
      if (points) view.points = points;
      return view;
    }
    const criteria: CriterionResult[] = [
      ...row.failed_criteria.map((id) => ({
        id,
        status: 'unmet' as const,
        detail: `unmet when evaluated on ${row.as_of} with version ${row.pack_version}`,
      })),
      ...row.unknown_criteria.map((id) => ({
        id,
        status: 'unknown' as const,
        detail: `unknown (data missing) when evaluated on ${row.as_of} with version ${row.pack_version}`,
      })),
    ];
    return {
      pathwayId: row.pathway_id as EligibilityResult['pathwayId'],
      pathwayVersion: row.pack_version,
      destination: (versions[0]?.destination ?? 'XX') as EligibilityResult['destination'],
      status: row.status,
      criteria,
      gaps: [],
      sources: [],
      ...record,
      explanation: 'record_only',
    };
  });
}
