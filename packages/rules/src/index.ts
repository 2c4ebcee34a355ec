export { type CompiledPack, type CompileOptions, compilePack } from './compile.ts';
export {
  AU_SWITCH,
  cefrRankOf,
  ieltsToCefrRank,
  LANGUAGE_CONVERSIONS,
  testToAuLevel,
  testToCefrRank,
  testToClb,
} from './conversions.ts';
export { ageOn } from './dates.ts';
export { diffPacks, flippedCriteria, type PackDiff, type ValueChange } from './diff.ts';
export { deriveFacts, type Facts } from './facts.ts';
export {
  createRuleBook,
  type EvaluateOptions,
  type OfferBlocker,
  type PackSummary,
  type RuleBook,
  shippedPacks,
  shippedRuleBook,
} from './rulebook.ts';
export {
  evaluateSafeguards,
  isHealthOrCareOccupation,
  type SafeguardOptions,
  WHO_SAFEGUARD_LIST_2023,
  WHO_SAFEGUARD_LIST_DATA,
} from './safeguards.ts';
export {
  type Criterion,
  type RulePack,
  RulePack as RulePackSchema,
  VERIFICATION_LEVELS,
  type Verification,
} from './schema.ts';
export { type PackError, type ValidationResult, validatePack } from './validate.ts';
