import { readFileSync } from 'node:fs';
import { diffPacks, validatePack } from '@corridor/rules';

function readPack(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`${file}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const result = validatePack(json);
  if (!result.ok) {
    process.stderr.write(`${file} is not a valid rule pack:\n`);
    for (const e of result.errors) process.stderr.write(`  ${e.path || '(pack)'}: ${e.message}\n`);
    process.exit(1);
  }
  return result.pack;
}

export function rulesValidateCommand(file: string) {
  const pack = readPack(file);
  process.stdout.write(
    `${file}: valid — ${pack.id} version ${pack.version}, ${pack.criteria.length} criteria, in force ${pack.effectiveFrom} to ${pack.effectiveTo ?? 'open'}\n`,
  );
}

const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));

export function rulesDiffCommand(oldFile: string, newFile: string) {
  const diff = diffPacks(readPack(oldFile), readPack(newFile));
  const lines: string[] = [];
  for (const c of diff.pack) lines.push(`  pack ${c.path}: ${show(c.before)} → ${show(c.after)}`);
  for (const a of diff.added) lines.push(`+ criterion ${a.id}`);
  for (const r of diff.removed) lines.push(`- criterion ${r.id}`);
  for (const c of diff.changed) {
    lines.push(`~ criterion ${c.id}`);
    for (const ch of c.changes) lines.push(`    ${ch.path}: ${show(ch.before)} → ${show(ch.after)}`);
  }
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'no differences\n');
}
