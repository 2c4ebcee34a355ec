import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `pnpm bench [name ...] [-- flags]`: runs each benchmark in its own process (clean heap, its own peak RSS) and
// prints its figures. Record them, with the machine line each prints, in docs/benchmarks.md.
const root = join(import.meta.dirname, '..');
const BENCHES: Record<string, { file: string; args?: string[] }> = {
  ingest: { file: 'bench/src/ingest.bench.ts' },
  api: { file: 'bench/src/api.bench.ts' },
  rules: { file: 'packages/rules/bench/evaluator.bench.ts' },
  relay: { file: 'packages/queue/bench/relay.bench.ts' },
  round: { file: 'packages/matching/bench/round.bench.ts' },
  reevaluation: { file: 'bench/src/reevaluation.bench.ts' },
  'match-vacancy': { file: 'packages/jobs/bench/match-vacancy.bench.ts' },
  'match-trainee': { file: 'packages/jobs/bench/match-trainee.bench.ts' },
  'match-round': { file: 'packages/jobs/bench/match-round.bench.ts' },
  notifications: { file: 'bench/src/notifications.bench.ts' },
};

const args = process.argv.slice(2).filter((a) => a !== '--');
const names = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const selected = names.length > 0 ? names : Object.keys(BENCHES);
const unknown = selected.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const name of selected) {
  const { file, args: extra = [] } = BENCHES[name]!;
  process.stdout.write(`\n## ${name}\n`);
  const r = spawnSync(process.execPath, [...process.execArgv, join(root, file), ...extra, ...flags], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
