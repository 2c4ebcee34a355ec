import { Command } from 'commander';
import { migrateCommand } from './commands/db.ts';
import { importCommand } from './commands/import.ts';
import { rulesDiffCommand, rulesValidateCommand } from './commands/rules.ts';

// The `pnpm corridor` CLI. Output goes to stdout/stderr for people; the service's own logging is pino.
const program = new Command('corridor').description('Corridor command line').showHelpAfterError();

const db = program.command('db').description('database tasks');
db.command('migrate')
  .description('run pending migrations (DATABASE_URL, or the embedded database)')
  .action(migrateCommand);

program
  .command('import')
  .description('bulk import a JSON Lines (.jsonl/.ndjson) or CSV (.csv) file, with a progress bar')
  .argument('<kind>', 'trainees | vacancies')
  .argument('<file>', 'path to the file')
  .requiredOption(
    '--org <id>',
    'the organization the rows belong to (trainees: the owner; vacancies: the employer or the agency)',
  )
  .option('--format <format>', 'jsonl | csv (default: from the file extension)')
  .action(importCommand);

const rules = program.command('rules').description('rule packs');
rules
  .command('validate')
  .argument('<file>', 'a rule pack JSON file')
  .description('check a rule pack against the schema')
  .action(rulesValidateCommand);
rules
  .command('diff')
  .argument('<old>', 'the earlier pack JSON')
  .argument('<new>', 'the later pack JSON')
  .description('show which criteria a new pack version adds, removes or changes')
  .action(rulesDiffCommand);

await program.parseAsync();
