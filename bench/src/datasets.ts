import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { generateTrainees, generateVacancies } from './generator.ts';

export const BENCH_DATA_DIR = join(import.meta.dirname, '..', '..', '.bench-data');

/** Writes (once) and returns the path of a seeded JSON Lines file; later runs reuse it. */
export async function traineesFile(count: number, seed = 1): Promise<string> {
  return cachedFile(`trainees-${count}-s${seed}.jsonl`, generateTrainees(count, seed));
}

export async function vacanciesFile(count: number, seed = 2): Promise<string> {
  return cachedFile(`vacancies-${count}-s${seed}.jsonl`, generateVacancies(count, seed));
}

async function cachedFile(name: string, rows: Iterable<unknown>): Promise<string> {
  mkdirSync(BENCH_DATA_DIR, { recursive: true });
  const path = join(BENCH_DATA_DIR, name);
  if (existsSync(path)) return path;
  const partial = `${path}.partial`;
  await writeJsonLines(partial, rows);
  renameSync(partial, path);
  return path;
}

/** Writes rows as JSON Lines, 1 MiB at a time. */
export async function writeJsonLines(path: string, rows: Iterable<unknown>): Promise<void> {
  const out = createWriteStream(path);
  let buffer = '';
  for (const row of rows) {
    buffer += `${JSON.stringify(row)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
