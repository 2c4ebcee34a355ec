import type { EligibilityProfile, EligibilityResult, OfferTermsInput } from '@corridor/domain';
import { CheckRegistry, type CompiledPack, type CompileOptions, compilePack, type OfferBlock } from './compile.ts';
import { deriveFacts, type Facts } from './facts.ts';
import { SHIPPED_PACK_JSON } from './packs/index.ts';
import { RulePack } from './schema.ts';
import { formatIssues } from './validate.ts';

export interface PackSummary {
  id: string;
  destination: string;
  name: string;
  version: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  sources: string[];
}

export interface EvaluateOptions {
  asOf: string;
  pathways?: readonly string[] | undefined;
  destinations?: readonly string[] | undefined;
  offer?: OfferTermsInput | undefined;
}

export interface RuleBook {
  /** Every pack the book was built from (every version), so that another thread can build the same book. */
  packs(): readonly RulePack[];
  /** Packs in force on `asOf`, one version per pathway. */
  list(asOf: string): PackSummary[];
  /** The version of a pathway in force on `asOf`, with its criteria. */
  get(id: string, asOf: string): RulePack | undefined;
  /** Every version of a pathway, oldest first. */
  versions(id: string): PackSummary[];
  /** Evaluate a profile against the packs in force on `asOf` (optionally only some pathways or destinations). */
  evaluate(profile: EligibilityProfile, options: EvaluateOptions): EligibilityResult[];
  /** The compiled version in force, for callers that evaluate one pathway many times. */
  compiled(id: string, asOf: string): CompiledPack | undefined;
  /**
   * The pathways a job offer closes to everyone on `asOf`: a decisive criterion that reads only the offer, with
   * nothing to bridge it, is `unmet` (a salary below every threshold, no sponsor, the wrong contract: not_eligible
   * whoever applies) or `unknown` (an occupation the pack's partial list cannot place: at best insufficient_data).
   * Either way nobody is eligible or conditionally eligible on it with this offer. Matching skips people for a
   * vacancy whose every pathway is closed, and can tell the employer why.
   */
  offerBlockers(offer: OfferTermsInput, options: { asOf: string; pathways: readonly string[] }): OfferBlocker[];
  /**
   * The mirror of `offerBlockers`: the pathways a person cannot be eligible or conditionally eligible for on
   * `asOf` whatever the job offer, because a decisive criterion that never reads the offer (a language level, a
   * recognition, an age limit) cannot be told, or is unmet and no bridge opens it to them. A round checks each person against many vacancies:
   * this is asked once per start date instead of once per vacancy.
   */
  profileBlockers(profile: EligibilityProfile, options: { asOf: string; pathways: readonly string[] }): OfferBlocker[];
  /**
   * Whether `profileBlockers` would name every one of `pathways` (a pathway with no version in force on `asOf` is
   * never closed), without building them: stops at the first pathway left open. A round asks it for each person
   * and start date.
   */
  profileClosesAll(profile: EligibilityProfile, options: { asOf: string; pathways: readonly string[] }): boolean;
  /**
   * What of a job offer the evaluation of `pathways` on `asOf` turns on (see `CompiledPack.offerClass`): two offers
   * with the same class give every person the same statuses, points, criterion statuses and gaps; only sentences
   * quoting the offer differ. A round checks a person against many vacancies whose offers differ in pay and terms
   * but mostly share a class, and evaluates them once per class.
   */
  offerClass(offer: OfferTermsInput, options: { asOf: string; pathways: readonly string[] }): string;
}

// The person's half of the facts is never read by offer-only checks (see CompiledPack.offerBlock); deriving facts
// needs a profile, so this one stands in.
const NOBODY: EligibilityProfile = {
  dateOfBirth: '1990-01-01',
  nationality: 'ZZ',
  occupation: { isco08: '0000' },
} as EligibilityProfile;

export interface OfferBlocker extends OfferBlock {
  pathwayId: string;
  pathwayVersion: string;
}

const summary = (p: RulePack): PackSummary => ({
  id: p.id,
  destination: p.destination,
  name: p.name,
  version: p.version,
  effectiveFrom: p.effectiveFrom,
  effectiveTo: p.effectiveTo,
  sources: p.sources.map((s) => s.url),
});

const inForce = (p: RulePack, asOf: string) =>
  p.effectiveFrom <= asOf && (p.effectiveTo === null || asOf <= p.effectiveTo);

/** Build a rule book: compiles every pack once and refuses overlapping versions of one pathway. */
export function createRuleBook(packs: readonly RulePack[], options: CompileOptions = {}): RuleBook {
  const byId = new Map<string, CompiledPack[]>();
  const registry = new CheckRegistry();
  for (const p of packs) {
    const list = byId.get(p.id) ?? [];
    list.push(compilePack(p, registry, options));
    byId.set(p.id, list);
  }
  for (const [id, list] of byId) {
    list.sort((a, b) => (a.pack.effectiveFrom < b.pack.effectiveFrom ? -1 : 1));
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!.pack;
      const next = list[i]!.pack;
      if (prev.effectiveTo === null || prev.effectiveTo >= next.effectiveFrom)
        throw new Error(`rule packs for ${id} overlap: ${prev.version} and ${next.version}`);
    }
  }
  const ids = [...byId.keys()].sort();
  const pick = (id: string, asOf: string): CompiledPack | undefined => {
    const list = byId.get(id);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (inForce(list[i]!.pack, asOf)) return list[i];
    return undefined;
  };
  let allAsOf: string | undefined;
  /** Each pathway in force on `asOf` that `block` finds closed on these facts, with the criterion that closes it. */
  const blockers = (
    facts: Facts,
    asOf: string,
    pathways: readonly string[],
    block: (c: CompiledPack, f: Facts) => OfferBlock | undefined,
  ): OfferBlocker[] => {
    const out: OfferBlocker[] = [];
    for (const id of pathways) {
      const c = pick(id, asOf);
      const found = c && block(c, facts);
      if (c && found) out.push({ pathwayId: id, pathwayVersion: c.pack.version, ...found });
    }
    return out;
  };
  let allInForce: CompiledPack[] = [];
  let evaluateAll: EvaluateAll | undefined;
  const generated = new Map<string, EvaluateAll | undefined>();
  return {
    packs: () => packs,
    list: (asOf) => ids.flatMap((id) => pick(id, asOf) ?? []).map((c) => summary(c.pack)),
    get: (id, asOf) => pick(id, asOf)?.pack,
    versions: (id) => (byId.get(id) ?? []).map((c) => summary(c.pack)),
    compiled: pick,
    profileBlockers: (profile, { asOf, pathways }) =>
      blockers(deriveFacts(profile, asOf, undefined), asOf, pathways, (c, f) => c.profileBlock(f)),
    profileClosesAll(profile, { asOf, pathways }) {
      if (pathways.length === 0) return true;
      const facts = deriveFacts(profile, asOf, undefined);
      for (const id of pathways) {
        const c = pick(id, asOf);
        if (c === undefined || c.profileBlock(facts) === undefined) return false;
      }
      return true;
    },
    offerClass(offer, { asOf, pathways }) {
      const facts = deriveFacts(NOBODY, asOf, offer);
      let s = '';
      for (const id of pathways) {
        const c = pick(id, asOf);
        if (c !== undefined) s += `${c.offerClass(facts)};`;
      }
      return s;
    },
    offerBlockers: (offer, { asOf, pathways }) =>
      blockers(deriveFacts(NOBODY, asOf, offer), asOf, pathways, (c, f) => c.offerBlock(f)),
    evaluate(profile, { asOf, pathways, destinations, offer }) {
      const facts = deriveFacts(profile, asOf, offer);
      const byDestination = destinations !== undefined && destinations.length > 0;
      if (pathways === undefined || pathways.length === 0) {
        // Every pathway: the packs in force on the last as-of date are kept, in id order.
        if (asOf !== allAsOf) {
          allInForce = [];
          // Which version of each pathway, as a key for the generated code below.
          let key = '';
          for (const id of ids) {
            const c = pick(id, asOf);
            if (c !== undefined) allInForce.push(c);
            key += `${c === undefined ? -1 : byId.get(id)!.indexOf(c)} `;
          }
          allAsOf = asOf;
          if (options.generate === false) evaluateAll = undefined;
          else {
            // Dates alternate between few sets of versions: each set's code is generated once.
            evaluateAll = generated.get(key);
            if (evaluateAll === undefined && !generated.has(key)) {
              evaluateAll = generateEvaluateAll(allInForce);
              generated.set(key, evaluateAll);
            }
          }
        }
        const list = allInForce;
        if (!byDestination) {
          if (evaluateAll !== undefined) return evaluateAll(facts);
          const results: EligibilityResult[] = new Array(list.length);
          for (let i = 0; i < list.length; i++) results[i] = list[i]!.evaluateFacts(facts);
          return results;
        }
        const results: EligibilityResult[] = [];
        for (let i = 0; i < list.length; i++) {
          const c = list[i]!;
          if (destinations.includes(c.pack.destination)) results.push(c.evaluateFacts(facts));
        }
        return results;
      }
      const results: EligibilityResult[] = [];
      for (const id of pathways) {
        const c = pick(id, asOf);
        if (c === undefined) continue;
        if (byDestination && !destinations.includes(c.pack.destination)) continue;
        results.push(c.evaluateFacts(facts));
      }
      return results;
    },
  };
}

type EvaluateAll = (facts: Facts) => EligibilityResult[];
/**
 * Every pack in force, each called from a call site of its own (one target each, where a loop's single site
 * sees every pack's closure); the source holds only integers. Undefined where code generation from strings is
 * disallowed (the loop is used).
 */
function generateEvaluateAll(list: readonly CompiledPack[]): EvaluateAll | undefined {
  const head: string[] = [];
  const calls: string[] = [];
  for (let i = 0; i < list.length; i++) {
    head.push(`const e${i} = list[${i}].evaluateFacts;`);
    calls.push(`e${i}(facts)`);
  }
  const source = `'use strict';\n${head.join('\n')}\nreturn function evaluateAll(facts) {\nreturn [${calls.join(', ')}];\n};`;
  try {
    return new Function('list', source)(list) as EvaluateAll;
  } catch {
    return undefined;
  }
}

let shipped: RulePack[] | undefined;
/** The packs shipped with this package, validated once. */
export function shippedPacks(): RulePack[] {
  if (shipped === undefined) {
    shipped = SHIPPED_PACK_JSON.map((json, i) => {
      const r = RulePack.safeParse(json);
      if (!r.success) throw new Error(`shipped pack #${i} is invalid: ${JSON.stringify(formatIssues(r.error))}`);
      return r.data;
    });
  }
  return shipped;
}

let shippedBook: RuleBook | undefined;
/** A rule book over the shipped packs (built on first use). */
export function shippedRuleBook(): RuleBook {
  shippedBook ??= createRuleBook(shippedPacks());
  return shippedBook;
}
