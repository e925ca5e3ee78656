/** `helpdesk quarantine list|retry`: see what could not be processed and run it again. */
import { openCliContext } from './cli.context.ts';

async function readBlob(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function quarantineList(all: boolean): Promise<number> {
  const ctx = await openCliContext();
  try {
    const items = await ctx.core.repos.quarantine.list(all ? undefined : 'held');
    if (!items.length) process.stdout.write('quarantine is empty\n');
    for (const q of items) {
      process.stdout.write(`${q.id}  ${q.createdAt.toISOString()}  ${q.status}  ${q.size} bytes  ${q.source}  ${q.reason}`
        + `${q.ticketNumber ? `  -> #${q.ticketNumber}` : ''}\n`);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

export async function quarantineRetry(id: string, force: boolean): Promise<number> {
  const ctx = await openCliContext();
  try {
    const { core } = ctx;
    const item = await core.repos.quarantine.byId(id);
    if (!item) {
      process.stderr.write(`helpdesk: no quarantined item ${id}\n`);
      return 65;
    }
    const raw = await readBlob(await core.repos.blobs.get(item.rawBlobId));
    const result = await core.channels.email.intake(raw, item.source, core.ingest, { lenient: force });
    const released = result.outcome !== 'quarantined';
    await core.repos.quarantine.recordRetry(item.id, {
      released, ...(result.ticketNumber ? { ticketNumber: result.ticketNumber } : {}), ...(released ? {} : { error: result.reason }),
    }, new Date());
    process.stdout.write(`${result.outcome}${result.ticketNumber ? ` #${result.ticketNumber}` : ''}: ${result.reason}\n`);
    return released ? 0 : 65;
  } finally {
    await ctx.close();
  }
}
