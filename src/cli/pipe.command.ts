/**
 * `helpdesk pipe`: one mail on stdin, ingested exactly as IMAP would; the exit code tells the MTA.
 * 0: the mail is kept (stored, duplicate, ignored, or quarantined for an admin: never bounced to a
 * sender who may be forged); 75: nothing was kept, try again later; 65: stdin held no bytes at all.
 */
import { loadConfig } from '../../config/index.ts';
import { openCliContext } from './cli.context.ts';
import { EXIT } from './exit-codes.ts';
import { readStdinMail } from './stdin.reader.ts';

export async function pipeCommand(): Promise<number> {
  const limit = loadConfig().channels.email.limits.maxMessageBytes;
  const input = await readStdinMail(process.stdin as AsyncIterable<Buffer>, limit);
  if (input.kind === 'whole' && input.raw.length === 0) {
    process.stderr.write('helpdesk: no message on stdin\n');
    return EXIT.DATAERR;
  }
  const ctx = await openCliContext();
  try {
    const { core } = ctx;
    if (input.kind === 'oversized') {
      const { blob, truncated } = await input.open(core.repos.blobs);
      const reason = `too-large: message is ${input.size} bytes, over the ${limit}-byte limit${truncated ? ' (kept truncated)' : ''}`;
      await core.ingest.quarantine({ channel: 'email', source: 'pipe', reason, blob });
      process.stdout.write(`quarantined: ${reason}\n`);
      return EXIT.OK;
    }
    const result = await core.channels.email.intake(input.raw, 'pipe', core.ingest);
    process.stdout.write(`${result.outcome}${result.ticketNumber ? ` #${result.ticketNumber}` : ''}: ${result.reason}\n`);
    return EXIT.OK;
  } finally {
    await ctx.close();
  }
}
