import { parentPort } from 'node:worker_threads';
import { createRuleBook, type RuleBook } from '@corridor/rules';
import { RoundLists } from './round-lists.ts';
import type { RoundThreadMessage, RoundThreadReply } from './round-threads.ts';

// A worker thread for rounds (see round-threads.ts). It lives across rounds: each round first sends its packs and
// vacancies, and the thread prepares the same rule book and vacancies as the job's thread; then one slice of the
// cohort per message. Rule books are kept by their packs' versions, so a round under the same rules builds none.
const port = parentPort!;
const books = new Map<string, RuleBook>();
let lists: RoundLists | undefined;

port.on('message', (message: RoundThreadMessage) => {
  if (message.type === 'round') {
    const { packs, vacancyRows, placements, options } = message.init;
    const key = packs.map((p) => `${p.id}@${p.version}`).join(',');
    let book = books.get(key);
    if (book === undefined) {
      books.clear();
      book = createRuleBook(packs);
      books.set(key, book);
    }
    lists = new RoundLists(book, vacancyRows, placements, options);
    port.postMessage({ ready: true } satisfies RoundThreadReply);
    return;
  }
  if (message.type === 'end') {
    lists = undefined;
    return;
  }
  const round = lists;
  if (round === undefined) {
    port.postMessage({ index: message.index, error: 'no round prepared' } satisfies RoundThreadReply);
    return;
  }
  round.forPage(message.cohort).then(
    (result) => port.postMessage({ index: message.index, result } satisfies RoundThreadReply),
    (error: unknown) => port.postMessage({ index: message.index, error: String(error) } satisfies RoundThreadReply),
  );
});
