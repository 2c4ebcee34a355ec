import { type Database, outboxRepository, ruleCalendarRepository } from '@corridor/db';
import { addDays, type RuleBookSource, versionsTakingEffect } from '@corridor/evaluation';
import type { JobLogger } from '@corridor/queue';
import { pathwayAggregateId } from './handlers.ts';

/** Days a calendar that was not running catches up on; older transitions are long since in force for everyone. */
const MAX_CATCH_UP_DAYS = 400;

/**
 * Announces the rule-pack versions that took effect since the last announced day, up to `today`: one
 * `pathway.took_effect` event per pathway whose version in force changed (the latest change if several), which
 * re-evaluates its trainees exactly as publishing does. A version can take effect with nobody publishing anything
 * that day (a threshold dated 22 July, a new financial year), and the people affected must still hear why their
 * status changed. One transaction holds the calendar's row: any number of processes may run this, each day is
 * announced once. On a new install the calendar starts at today (stored results are already as of today).
 */
export async function announceRuleChanges(
  database: Pick<Database, 'db'>,
  ruleBooks: RuleBookSource,
  today: string,
): Promise<{ pathwayId: string; version: string; effectiveFrom: string }[]> {
  const book = await ruleBooks.current();
  return database.db.transaction().execute(async (trx) => {
    const last = await ruleCalendarRepository.lock(trx);
    if (last !== undefined && last >= today) return [];
    const changes = new Map<string, { pathwayId: string; version: string; effectiveFrom: string }>();
    if (last !== undefined) {
      let day = addDays(last, 1);
      const first = addDays(today, -MAX_CATCH_UP_DAYS);
      if (day < first) day = first;
      for (; day <= today; day = addDays(day, 1))
        for (const t of versionsTakingEffect(book, day))
          if (t.toVersion !== null)
            changes.set(t.pathwayId, { pathwayId: t.pathwayId, version: t.toVersion, effectiveFrom: day });
    }
    const announced = [...changes.values()];
    await outboxRepository.append(
      trx,
      announced.map((c) => ({
        type: 'pathway.took_effect',
        aggregateType: 'pathway' as const,
        aggregateId: pathwayAggregateId(c.pathwayId),
        payload: c,
      })),
    );
    await ruleCalendarRepository.advance(trx, today);
    return announced;
  });
}

/** Runs `announceRuleChanges` now and then every `intervalMs` (hourly), so a new day is picked up soon after midnight UTC. */
export function startRuleCalendar(
  database: Pick<Database, 'db'>,
  ruleBooks: RuleBookSource,
  today: () => string,
  log: JobLogger,
  intervalMs = 3_600_000,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = announceRuleChanges(database, ruleBooks, today())
      .then((announced) => {
        if (announced.length > 0) log.info({ announced }, 'rule-pack versions took effect; re-evaluating');
      })
      .catch((err) => log.error({ err }, 'rule calendar run failed; retrying at the next interval'));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
