export {
  type BatchOutcome,
  type ChangeReason,
  type EvaluateTraineesOptions,
  type EvaluateTraineesOutcome,
  evaluateTrainees,
  type ReevaluateOptions,
  type ReevaluateOutcome,
  RuleBookStaleError,
  reevaluatePathway,
  reevaluatePathwayToEnd,
  UnknownPathwayError,
} from './evaluate.ts';
export {
  addDays,
  composePacks,
  databaseRuleBookSource,
  loadRuleBook,
  type RuleBookSource,
  StoredPackInvalidError,
  staticRuleBookSource,
  versionsTakingEffect,
} from './rule-book.ts';
