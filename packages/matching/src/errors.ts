/**
 * Input that cannot describe a match round (duplicate ids, unknown vacancies, negative capacities).
 * The boundary maps it to a 4xx problem: it is the caller's data, not a fault in matching.
 */
export class MatchingInputError extends Error {
  override readonly name = 'MatchingInputError';
}
