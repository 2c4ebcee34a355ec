import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ChunkResult, type ChunkTask, processTraineeChunk } from './trainee-chunks.ts';

/** Runs chunk tasks: on worker threads when there is more than one core to use, else inline. */
export interface ChunkRunner {
  run(task: ChunkTask): Promise<ChunkResult>;
  close(): Promise<void>;
}

export const inlineRunner: ChunkRunner = {
  run: async (task) => processTraineeChunk(task),
  close: async () => {},
};

/** How many workers a large import uses: CORRIDOR_INGEST_WORKERS, else one per core but one (none on one core). */
export function workerCount(): number {
  const configured = process.env.CORRIDOR_INGEST_WORKERS;
  if (configured !== undefined && configured !== '') return Math.max(0, Math.floor(Number(configured)) || 0);
  // The database server needs a core of its own for the COPY: on two cores one worker (with the main thread
  // doing only I/O) measured better than two, which mostly fought the server and each other for CPU.
  const cores = availableParallelism();
  return Math.max(0, Math.min(cores - 1, 3));
}

let bundle: Promise<string> | undefined;

/**
 * The worker's code as one script. Worker threads do not inherit the TypeScript loader the process runs under
 * (tsx, or vitest's transform), and loading @corridor/db and zod through tsx's hooks costs a worker about
 * 1.5 s of CPU; esbuild bundles what the worker needs once per process in a fraction of that. Only the two
 * modules the worker uses are taken from @corridor/db, so its database drivers stay out of the bundle.
 */
function workerBundle(): Promise<string> {
  bundle ??= (async () => {
    const { build, stop } = await import('esbuild');
    const db = dirname(fileURLToPath(import.meta.resolve('@corridor/db')));
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./trainee-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      plugins: [
        {
          name: 'corridor-db-subset',
          setup(b) {
            b.onResolve({ filter: /^@corridor\/db$/ }, () => ({ path: 'db-subset', namespace: 'corridor' }));
            b.onLoad({ filter: /.*/, namespace: 'corridor' }, () => ({
              contents: [
                `export { traineeWrite } from ${JSON.stringify(join(db, 'repositories/trainees.repository.ts'))};`,
                `export { writeTraineeBatch } from ${JSON.stringify(join(db, 'repositories/trainees-bulk.ts'))};`,
              ].join('\n'),
              resolveDir: db,
              loader: 'ts',
            }));
          },
        },
      ],
    });
    await stop(); // its service process is not needed again: the bundle is kept for the process's lifetime
    return result.outputFiles[0]!.text;
  })();
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}

/** Starts `count` workers; rejects if the worker code cannot be built (callers then stay inline). */
export async function startWorkers(count: number): Promise<WorkerRunner> {
  return new WorkerRunner(await workerBundle(), count);
}

interface Pending {
  task: ChunkTask;
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

/**
 * A small fixed pool of worker threads. Each task goes to the least busy worker; results come back in
 * whatever order, and callers await them in file order. If a worker cannot start or dies, its tasks (and
 * all later ones) run inline instead, so an import never depends on threads being available.
 */
export class WorkerRunner implements ChunkRunner {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private seq = 0;
  private broken = false;

  constructor(code: string, count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(code, {
        eval: true,
        // A larger young generation: the rows are short-lived garbage, and fewer scavenges is measurably faster.
        resourceLimits: { maxYoungGenerationSizeMb: 16 },
      });
      const slot = { worker, pending: new Map<number, Pending>() };
      worker.on('message', (m: { seq?: number; result?: ChunkResult; error?: string; ready?: boolean }) => {
        if (m.seq === undefined) return;
        const p = slot.pending.get(m.seq);
        if (!p) return;
        slot.pending.delete(m.seq);
        if (m.result) p.resolve(m.result);
        else p.reject(new Error(m.error));
      });
      const fail = () => {
        this.broken = true;
        for (const p of slot.pending.values()) this.inline(p);
        slot.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', fail);
      this.workers.push(slot);
    }
  }

  private inline(p: Pending) {
    try {
      p.resolve(processTraineeChunk(p.task));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  run(task: ChunkTask): Promise<ChunkResult> {
    return new Promise((resolve, reject) => {
      const p: Pending = { task, resolve, reject };
      if (this.broken || this.workers.length === 0) {
        this.inline(p);
        return;
      }
      let slot = this.workers[0]!;
      for (const s of this.workers) if (s.pending.size < slot.pending.size) slot = s;
      const seq = this.seq++;
      slot.pending.set(seq, p);
      slot.worker.postMessage({ seq, task });
    });
  }

  async close(): Promise<void> {
    this.broken = true;
    await Promise.all(this.workers.map((s) => s.worker.terminate()));
  }
}
