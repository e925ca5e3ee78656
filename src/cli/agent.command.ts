/**
 * `helpdesk agent create|list|token`: agent accounts from the command line, first of all the first
 * admin. A password is taken from stdin (`--password-stdin`, so it never shows in the process
 * list) or generated and printed once; `--token <name>` also issues a personal API token.
 */
import { LOCALES, TIERS, AGENT_ROLES, type AgentRole, type Locale, type Tier } from '../core/index.ts';
import { openCliContext } from './cli.context.ts';
import { EXIT } from './exit-codes.ts';
import { readStdinMail } from './stdin.reader.ts';

export interface CreateOptions {
  email: string;
  name: string;
  role?: string;
  tier: string;
  language: string;
  passwordStdin?: boolean;
  token?: string;
}

function invalid(message: string): number {
  process.stderr.write(`helpdesk: ${message}\n`);
  return EXIT.DATAERR;
}

async function readPassword(): Promise<string> {
  const input = await readStdinMail(process.stdin as AsyncIterable<Buffer>, 4096);
  return input.kind === 'whole' ? input.raw.toString('utf8').replace(/\r?\n$/, '') : '';
}

export async function agentCreate(opts: CreateOptions): Promise<number> {
  if (opts.role && !AGENT_ROLES.includes(opts.role as AgentRole)) return invalid(`--role is one of ${AGENT_ROLES.join(', ')}`);
  if (!TIERS.includes(opts.tier as Tier)) return invalid(`--tier is one of ${TIERS.join(', ')}`);
  if (!LOCALES.includes(opts.language as Locale)) return invalid(`--language is one of ${LOCALES.join(', ')}`);
  if (!/^[^\s@]+@[^\s@]+$/.test(opts.email) || opts.email.length > 320) return invalid('--email needs an email address');
  const password = opts.passwordStdin ? await readPassword() : undefined;
  const ctx = await openCliContext();
  try {
    const { agents } = ctx.core;
    // The first account is the admin, unless told otherwise.
    const role = (opts.role ?? ((await agents.list()).length === 0 ? 'admin' : 'agent')) as AgentRole;
    let created;
    try {
      created = await agents.create({ email: opts.email, displayName: opts.name, role, tier: opts.tier as Tier, language: opts.language as Locale }, password);
    } catch (err) {
      return invalid((err as Error).message);
    }
    const { agent } = created;
    process.stdout.write(`created ${agent.role} ${agent.email} (${agent.id}, tier ${agent.tier})\n`);
    if (!password) process.stdout.write(`password: ${created.password}\n`);
    if (opts.token) process.stdout.write(`api token: ${(await agents.issueToken(agent.id, opts.token)).token}\n`);
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}

export async function agentList(): Promise<number> {
  const ctx = await openCliContext();
  try {
    const list = await ctx.core.agents.list();
    if (!list.length) process.stdout.write('no agents yet: helpdesk agent create --email you@example.org --name "Your Name"\n');
    for (const a of list) process.stdout.write(`${a.id}  ${a.email}  ${a.role}  ${a.tier}  ${a.language}${a.disabled ? '  disabled' : ''}  ${a.displayName}\n`);
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}

export async function agentToken(email: string, name: string): Promise<number> {
  const ctx = await openCliContext();
  try {
    const agent = await ctx.core.agents.byEmail(email);
    if (!agent) return invalid(`no agent ${email}`);
    process.stdout.write(`api token: ${(await ctx.core.agents.issueToken(agent.id, name)).token}\n`);
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}
