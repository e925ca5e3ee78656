/** `helpdesk quarantine list|retry`: see what could not be processed and run it again. */
import { buffer } from 'node:stream/consumers';
import { openCliContext } from './cli.context.ts';
import { EXIT } from './exit-codes.ts';

export async function quarantineList(all: boolean): Promise<number> {
  const ctx = await openCliContext();
  try {
    const items = await ctx.core.repos.quarantine.list(all ? undefined : 'held');
    if (!items.length) process.stdout.write('quarantine is empty\n');
    for (const q of items) {
      process.stdout.write(`${q.id}  ${q.createdAt.toISOString()}  ${q.status}  ${q.size} bytes  ${q.source}  ${q.reason}`
        + `${q.ticketNumber ? `  -> #${q.ticketNumber}` : ''}\n`);
    }
    return EXIT.OK;
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
      return EXIT.DATAERR;
    }
    const raw = await buffer(await core.repos.blobs.get(item.rawBlobId));
    // Each item goes back to the channel that took it in the first place.
    const channel = core.adapters.find((a) => a.id === item.channel);
    if (!channel?.intake) {
      process.stderr.write(`helpdesk: channel ${item.channel} of ${id} cannot take raw input again\n`);
      return EXIT.SOFTWARE;
    }
    const result = await channel.intake(raw, item.source, core.ingest, { lenient: force });
    const released = result.outcome !== 'quarantined';
    await core.repos.quarantine.recordRetry(item.id, {
      released, ...(result.ticketNumber ? { ticketNumber: result.ticketNumber } : {}), ...(released ? {} : { error: result.reason }),
    }, new Date());
    process.stdout.write(`${result.outcome}${result.ticketNumber ? ` #${result.ticketNumber}` : ''}: ${result.reason}\n`);
    return released ? EXIT.OK : EXIT.DATAERR;
  } finally {
    await ctx.close();
  }
}
