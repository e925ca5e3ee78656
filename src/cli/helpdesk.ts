/**
 * `helpdesk` command line:
 *   helpdesk pipe                       read one RFC 822 mail on stdin (MTA pipe transport)
 *   helpdesk quarantine list [--all]    show quarantined mail
 *   helpdesk quarantine retry <id> [--force]
 *   helpdesk agent create --email <a> --name <n> [--role admin|agent] [--tier L1] [--language en] [--password-stdin] [--token <name>]
 *   helpdesk agent list
 *   helpdesk agent token <email> [--name <name>]
 * Exit codes follow sysexits: 0 ok (for `pipe`: the mail is kept, quarantined included), 65 data error
 * (`pipe`: empty input; `quarantine retry`: still held), 75 temporary failure, 78 config.
 */
import { Command } from 'commander';
import { ConfigError } from '../../config/index.ts';
import { ErrorCodes, HelpdeskError } from '../core/index.ts';
import type { CreateOptions } from './agent.command.ts';
import { EXIT } from './exit-codes.ts';

// Each command's module is imported when that command runs: an MTA starts `helpdesk pipe` once per
// mail, and every module loaded through tsx costs start-up time it never needs.
const agentCommands = () => import('./agent.command.ts');
const quarantineCommands = () => import('./quarantine.command.ts');

export { EXIT };

async function run(action: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await action();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`helpdesk: ${err.message}\n`);
      code = EXIT.CONFIG;
    } else if ((err as HelpdeskError).code === ErrorCodes.TRANSIENT) {
      process.stderr.write(`helpdesk: temporary failure, try again later: ${(err as Error).message}\n`);
      code = EXIT.TEMPFAIL;
    } else {
      process.stderr.write(`helpdesk: ${(err as Error).stack ?? err}\n`);
      code = EXIT.TEMPFAIL; // unknown errors: let the MTA keep the mail and retry, never drop it
    }
  }
  process.exit(code);
}

const program = new Command('helpdesk').description('help desk intake gateway tools');
program.command('pipe').description('ingest one RFC 822 message from stdin (for an MTA pipe transport)')
  .action(() => run(async () => (await import('./pipe.command.ts')).pipeCommand()));
const quarantine = program.command('quarantine').description('mail that could not be processed');
quarantine.command('list').option('--all', 'include released entries').description('list quarantined mail')
  .action((opts: { all?: boolean }) => run(async () => (await quarantineCommands()).quarantineList(Boolean(opts.all))));
quarantine.command('retry <id>').option('--force', 'accept the mail even if it fails structure or size checks')
  .description('process a quarantined mail again').action((id: string, opts: { force?: boolean }) => run(async () => (await quarantineCommands()).quarantineRetry(id, Boolean(opts.force))));

const agent = program.command('agent').description('agent accounts');
agent.command('create').description('create an agent (the first one is an admin); prints a generated password unless --password-stdin')
  .requiredOption('--email <address>', 'sign-in and notification address')
  .requiredOption('--name <displayName>', 'the name customers see on replies')
  .option('--role <role>', 'admin or agent (default: admin for the first account, else agent)')
  .option('--tier <tier>', 'L1, L2 or L3', 'L1')
  .option('--language <locale>', 'en or id', 'en')
  .option('--password-stdin', 'read the password from stdin instead of generating one')
  .option('--token <name>', 'also issue a personal API token with this name')
  .action((opts: CreateOptions) => run(async () => (await agentCommands()).agentCreate(opts)));
agent.command('list').description('list agents').action(() => run(async () => (await agentCommands()).agentList()));
agent.command('token <email>').description('issue a personal API token for an agent (printed once)')
  .option('--name <name>', 'what the token is for', 'cli')
  .action((email: string, opts: { name: string }) => run(async () => (await agentCommands()).agentToken(email, opts.name)));

await program.parseAsync(process.argv);
