import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { traineesFile } from './datasets.ts';
import { machineLine } from './machine.ts';

// Bulk ingest of seeded trainee profiles from JSON Lines into real PostgreSQL, zod-validated, indexes in place.
// Each import runs in its own process so its peak RSS is its own. With --flat, the same for a file 5× larger,
// to show memory does not grow with the file.

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const count = Number(process.env.BENCH_TRAINEES ?? 1_000_000);
const flat = process.argv.includes('--flat');

interface ChildResult {
  rows: number;
  stored: number;
  seconds: number;
  rowsPerSecond: number;
  repostSeconds: number;
  repostUnchanged: number;
  peakRssMb: number;
  nodeCpuMicrosPerRow: number;
  load: number;
}

function runImport(file: string): ChildResult {
  const schema = `bench_ingest_${randomBytes(4).toString('hex')}`;
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, 'ingest-child.ts'), file, url, schema],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

console.log(`ingest bench — ${machineLine()}`);
const sizes = flat ? [count, count * 5] : [count];
for (const n of sizes) {
  const file = await traineesFile(n);
  const r = runImport(file);
  console.log(
    `  ${n.toLocaleString('en')} profiles: ${r.seconds.toFixed(1)} s, ${r.rowsPerSecond.toLocaleString('en')} profiles/s, ` +
      `peak RSS ${r.peakRssMb} MB, node CPU ${r.nodeCpuMicrosPerRow} µs/profile, load ${r.load}; re-post of the same file ${r.repostSeconds.toFixed(1)} s (${r.repostUnchanged.toLocaleString('en')} unchanged); stored ${r.stored.toLocaleString('en')}`,
  );
}
