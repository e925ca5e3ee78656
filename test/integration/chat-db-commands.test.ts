/**
 * Round trips per chat line: a visitor's next line in a conversation that already has its ticket,
 * sent over a real socket to a real gateway on the test server, with the driver's command
 * monitoring on. Every command the line causes counts, from the send until the agent and the
 * visitor's own socket have it and the work it sets off (the SLA clock) is done. The background
 * passes (outbox sender, agent mail fan-out, digests, SLA scheduler) are stopped: they are measured
 * on their own and do not run per line.
 * Chat cost must not grow with what is stored, so every command is by `_id` (FerretDB 1.24 pushes
 * down nothing else, not even an `_id` range): no scan, no read of what the process already holds.
 */
import type { CommandStartedEvent } from 'mongodb';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chatConfig, collect, connectAgent, connectVisitor, issueVisitor, request, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { waitUntil } from '../support/skip.ts';
import { stopGateway } from '../support/teardown.ts';

const ADMIN = 'test-admin-token-0123456789';
const LINE_BUDGET = 12;
const OPENING_BUDGET = 14;
// Commands that are the driver's own housekeeping, not the line's.
const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'getMore', 'killCursors']);

/** `find tickets`, `insert chat_lines`…: what a command did and to which collection. */
function label(event: CommandStartedEvent): string {
  const target = event.command[event.commandName];
  return typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
}

/** Whether a command reads or writes by `_id` equality only (all FerretDB 1.24 can push down). */
function byIdOnly(event: CommandStartedEvent): boolean {
  const { command } = event;
  const filters: unknown[] = [];
  if (command.filter) filters.push(command.filter);
  if (command.query) filters.push(command.query);
  for (const u of (command.updates ?? []) as { q: unknown }[]) filters.push(u.q);
  for (const d of (command.deletes ?? []) as { q: unknown }[]) filters.push(d.q);
  return filters.every((f) => {
    const keys = Object.keys(f as object);
    const id = (f as { _id?: unknown })._id;
    return keys.length === 1 && keys[0] === '_id' && (typeof id === 'string' || (typeof id === 'object' && id !== null && !Object.keys(id).some((k) => k.startsWith('$'))));
  });
}

describe('database commands per chat line', () => {
  let gateway: Gateway;
  let base: string;
  let counting: CommandStartedEvent[] | null = null;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const uri = new URL(mongoUri());
    uri.searchParams.set('monitorCommands', 'true');
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('chatcmds') }, ...chatConfig() }), uri.toString(), createLogger('silent'));
    await gateway.start();
    // The passes over durable work run on timers and after kicks, not per line: not counted here.
    await Promise.all([gateway.dispatcher.stop(), gateway.fanout.stop(), gateway.digests.stop(), gateway.sla.scheduler.stop()]);
    gateway.conn.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (counting && !HOUSEKEEPING.has(event.commandName)) counting.push(event);
    });
    base = `http://127.0.0.1:${gateway.httpPort()}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await stopGateway(gateway);
  });

  /** Starts counting; `done` stops and returns what was counted, by label. */
  function count() {
    counting = [];
    return async () => {
      await gateway.sla.tracker.idle();
      const events = counting ?? [];
      counting = null;
      const breakdown: Record<string, number> = {};
      for (const e of events) breakdown[label(e)] = (breakdown[label(e)] ?? 0) + 1;
      const scans = events.filter((e) => !byIdOnly(e)).map((e) => ({ [label(e)]: e.command.filter ?? e.command.query ?? e.command.updates ?? e.command.deletes }));
      return { total: events.length, breakdown, scans };
    };
  }

  it(`a visitor's first line opens a ticket in at most ${OPENING_BUDGET} commands, each by _id`, async () => {
    const agent = await connectAgent(base, ADMIN, 'Sari');
    sockets.push(agent);
    const opened = collect<{ ticketNumber: number }>(agent, 'conversation:new');
    // Another conversation first warms what is cached per process (intake rules, knowledge base index).
    const warm = await connectVisitor(base, (await issueVisitor(base)).body.visitorToken);
    sockets.push(warm);
    await request(warm, 'message:send', { clientId: 'w-1', text: 'Warm up' });
    await waitUntil(() => opened.length === 1, 'the warm-up conversation at the agent');
    await gateway.sla.tracker.idle();
    const visitor = await connectVisitor(base, (await issueVisitor(base)).body.visitorToken);
    sockets.push(visitor);

    const done = count();
    const ack = await request<{ ok: true; seq: number; ticketNumber: number }>(visitor, 'message:send', { clientId: 'o-1', text: 'Where is my refund?' });
    await waitUntil(() => opened.length === 2, 'the new conversation at the agent');
    const { total, breakdown, scans } = await done();
    console.log(`opening chat line: ${total} commands`, breakdown);
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    expect(opened[1]).toMatchObject({ ticketNumber: ack.ticketNumber });
    expect(scans).toEqual([]);
    expect(total).toBeLessThanOrEqual(OPENING_BUDGET);
  });

  it(`a visitor's next line in an open conversation costs at most ${LINE_BUDGET} commands, each by _id`, async () => {
    const agent = await connectAgent(base, ADMIN, 'Sari');
    sockets.push(agent);
    const { body } = await issueVisitor(base);
    const visitor = await connectVisitor(base, body.visitorToken);
    sockets.push(visitor);
    const seen = collect<Line>(visitor, 'message');
    const toAgent = collect<{ ticketNumber: number; seq: number; text: string }>(agent, 'message');
    const first = await request<{ ok: true; seq: number; ticketNumber: number }>(visitor, 'message:send', { clientId: 'm-1', text: 'My parcel is late' });
    expect(first).toMatchObject({ ok: true, seq: 1 });
    await waitUntil(() => seen.length === 1 && toAgent.length === 1, 'the first line everywhere');
    await gateway.sla.tracker.idle();

    const done = count();
    const ack = await request<{ ok: true; seq: number; ticketNumber: number }>(visitor, 'message:send', { clientId: 'm-2', text: 'Order 4411' });
    await waitUntil(() => seen.length === 2 && toAgent.length === 2, 'the second line at the agent and on the visitor socket');
    const { total, breakdown, scans } = await done();
    console.log(`next chat line: ${total} commands`, breakdown);
    expect(ack).toEqual({ ok: true, seq: 2, ticketNumber: first.ticketNumber });
    expect(toAgent[1]).toMatchObject({ ticketNumber: first.ticketNumber, seq: 2, text: 'Order 4411' });
    expect(seen.map((l) => [l.seq, l.text])).toEqual([[1, 'My parcel is late'], [2, 'Order 4411']]);
    const stored = await gateway.repos.messages.byExternalId('chat', `${body.visitorId}:m-2`);
    expect(stored).toMatchObject({ complete: true, ticketNumber: first.ticketNumber });
    expect(scans).toEqual([]);
    expect(total).toBeLessThanOrEqual(LINE_BUDGET);
  });
});
