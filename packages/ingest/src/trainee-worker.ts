import { parentPort } from 'node:worker_threads';
import { type ChunkTask, processTraineeChunk, transferablesOf } from './trainee-chunks.ts';

// One worker of the pool in trainee-pool.ts: validates and encodes chunks of JSON Lines off the main thread.
parentPort!.on('message', (message: { seq: number; task: ChunkTask }) => {
  try {
    const result = processTraineeChunk(message.task);
    parentPort!.postMessage({ seq: message.seq, result }, transferablesOf(result));
  } catch (err) {
    parentPort!.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort!.postMessage({ ready: true });
