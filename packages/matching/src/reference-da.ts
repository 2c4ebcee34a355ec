import type { RoundInstance, RoundResult } from './deferred-acceptance.ts';

/**
 * The textbook deferred acceptance, kept as a reference: ids and maps, a FIFO of free trainees, and each vacancy's
 * held list re-sorted after every proposal. It shares no code with `deferredAcceptance`, so tests can check one
 * against the other, and the benchmark shows what the heap and the typed arrays buy.
 */
export function naiveDeferredAcceptance(instance: RoundInstance): RoundResult {
  const vacancyById = new Map(instance.vacancies.map((v) => [v.id, v]));
  const held = new Map<string, { trainee: number; rank: number }[]>();
  for (const v of instance.vacancies) held.set(v.id, []);
  const next = instance.trainees.map(() => 0);
  const queue = instance.trainees.map((_, i) => i);
  let proposals = 0;
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    const t = instance.trainees[i]!;
    while (next[i]! < t.ranking.length) {
      const vid = t.ranking[next[i]!]!;
      next[i]!++;
      proposals++;
      const v = vacancyById.get(vid)!;
      const rank = v.ranking.get(t.id);
      if (rank === undefined) continue;
      const list = held.get(vid)!;
      list.push({ trainee: i, rank });
      list.sort((a, b) => a.rank - b.rank || a.trainee - b.trainee);
      if (list.length <= v.capacity) break;
      const out = list.pop()!;
      if (out.trainee === i) continue; // rejected outright
      queue.push(out.trainee);
      break;
    }
  }
  const matchOf = new Map<number, string>();
  for (const [vid, list] of held) for (const h of list) matchOf.set(h.trainee, vid);
  const result: RoundResult = { matches: [], unfilled: [], unmatchedTrainees: [], stats: { proposals } };
  instance.trainees.forEach((t, i) => {
    const vid = matchOf.get(i);
    if (vid === undefined) result.unmatchedTrainees.push(t.id);
    else result.matches.push({ traineeId: t.id, vacancyId: vid });
  });
  for (const v of instance.vacancies) {
    const places = v.capacity - held.get(v.id)!.length;
    if (places > 0) result.unfilled.push({ vacancyId: v.id, places });
  }
  return result;
}
