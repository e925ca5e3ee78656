/** `helpdesk pipe`: one mail on stdin, ingested exactly as IMAP would; the exit code tells the MTA. */
import { buffer } from 'node:stream/consumers';
import { openCliContext } from './cli.context.ts';
import { EXIT } from './exit-codes.ts';

export async function pipeCommand(): Promise<number> {
  const raw = await buffer(process.stdin);
  const ctx = await openCliContext();
  try {
    const { core } = ctx;
    const result = await core.channels.email.intake(raw, 'pipe', core.ingest);
    process.stdout.write(`${result.outcome}${result.ticketNumber ? ` #${result.ticketNumber}` : ''}: ${result.reason}\n`);
    return result.outcome === 'quarantined' ? EXIT.DATAERR : EXIT.OK;
  } finally {
    await ctx.close();
  }
}
