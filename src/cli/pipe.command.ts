/** `helpdesk pipe`: one mail on stdin, ingested exactly as IMAP would; the exit code tells the MTA. */
import { intakeRawMail } from '../../channels/index.ts';
import { createLogger } from '../infra/logger.ts';
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
    const { config, core } = ctx;
    const logger = createLogger('warn');
    const result = await intakeRawMail(raw, 'pipe', {
      sink: core.ingest, logger,
      context: { blobs: core.repos.blobs, supportAddress: config.supportAddress, limits: config.mail },
    });
    process.stdout.write(`${result.outcome}${result.ticketNumber ? ` #${result.ticketNumber}` : ''}: ${result.reason}\n`);
    return result.outcome === 'quarantined' ? 65 : 0;
  } finally {
    await ctx.close();
  }
}
