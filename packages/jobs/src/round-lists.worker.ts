import { parentPort, workerData } from 'node:worker_threads';
import { createRuleBook } from '@corridor/rules';
import { RoundLists } from './round-lists.ts';
import type { RoundThreadInit, RoundThreadReply, RoundThreadRequest } from './round-threads.ts';

// One worker thread of a round (see round-threads.ts): the same rule book and prepared vacancies as the job's
// thread, then one page of the cohort per message.
const init = workerData as RoundThreadInit;
const lists = new RoundLists(createRuleBook(init.packs), init.vacancyRows, init.placements, init.options);
const port = parentPort!;
port.on('message', (request: RoundThreadRequest) => {
  lists.forPage(request.cohort).then(
    (result) => port.postMessage({ index: request.index, result } satisfies RoundThreadReply),
    (error: unknown) => port.postMessage({ index: request.index, error: String(error) } satisfies RoundThreadReply),
  );
});
port.postMessage({ ready: true } satisfies RoundThreadReply);
