/** `helpdesk pipe`: one mail on stdin, ingested exactly as IMAP would; the exit code tells the MTA. */
import { openCliContext } from './cli.context.ts';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function pipeCommand(): Promise<number> {
  const raw = await readStdin();
  const ctx = await openCliContext();
  try {
    const { core } = ctx;
    const result = await core.channels.email.intake(raw, 'pipe', core.ingest);
    process.stdout.write(`${result.outcome}${result.ticketNumber ? ` #${result.ticketNumber}` : ''}: ${result.reason}\n`);
    return result.outcome === 'quarantined' ? 65 : 0;
  } finally {
    await ctx.close();
  }
}
