import type { Kysely } from 'kysely';
import { type TraineeWrite, traineesRepository } from './repositories/trainees.repository.ts';
import type { DB } from './schema/index.ts';

type Outcome = Awaited<ReturnType<typeof traineesRepository.upsertOne>>;
interface Pending {
  ownerOrgId: string;
  row: TraineeWrite;
  resolve(outcome: Outcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit for single-trainee writes. Requests that arrive while a statement is in flight are written
 * together in the next one: one statement, one commit and one WAL flush for many requests, instead of one
 * each, which is what the database spends most of its time on under concurrent load. Every request still
 * gets its own answer only after its row is committed. If a combined statement fails, its rows are retried
 * one by one, so one bad row cannot fail its neighbours.
 */
export function createTraineeWriteBatcher(db: Kysely<DB>, options: { maxBatch?: number; maxInFlight?: number } = {}) {
  const maxBatch = options.maxBatch ?? 64;
  const maxInFlight = options.maxInFlight ?? 4;
  let queue: Pending[] = [];
  let inFlight = 0;

  const run = async (batch: Pending[]) => {
    inFlight++;
    try {
      const outcomes = await traineesRepository.upsertRows(db, batch);
      for (const [i, p] of batch.entries()) p.resolve(outcomes[i]);
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else await Promise.all(batch.map((p) => run([p])));
    } finally {
      inFlight--;
      pump();
    }
  };

  function pump() {
    while (queue.length > 0 && inFlight < maxInFlight) {
      // Two writes for the same (owner, externalRef) cannot share a statement: the later one waits for the next.
      const batch: Pending[] = [];
      const keys = new Set<string>();
      const rest: Pending[] = [];
      for (const p of queue) {
        const key = p.row.external_ref === null ? null : `${p.ownerOrgId}\u0000${p.row.external_ref}`;
        if (batch.length < maxBatch && (key === null || !keys.has(key))) {
          batch.push(p);
          if (key) keys.add(key);
        } else rest.push(p);
      }
      queue = rest;
      void run(batch);
    }
  }

  return {
    upsert(ownerOrgId: string, row: TraineeWrite): Promise<Outcome> {
      return new Promise((resolve, reject) => {
        queue.push({ ownerOrgId, row, resolve, reject });
        // Let the requests of this turn of the event loop gather before the first statement goes out.
        if (queue.length === 1) setImmediate(pump);
      });
    },
  };
}
export type TraineeWriteBatcher = ReturnType<typeof createTraineeWriteBatcher>;
