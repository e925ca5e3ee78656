/**
 * The agent fan-out works from a queue of pending events, not from the audit trail: an event that
 * mails agents waits in `agent_fanout` and joins `ticket_events` once its mails are queued. A pass
 * reads only the queue (FerretDB 1.24 would scan every event ever recorded for any other filter),
 * a crash between its steps queues no mail twice, and events marked pending by an older version
 * (`fanout: 'pending'` in `ticket_events`) are still fanned out after a restart.
 */
import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/index.ts';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { ensureIndexes } from '../../src/infra/mongo/models.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('agent fan-out from a queue of pending events', () => {
  let conn: Connection;
  let gateway: Awaited<ReturnType<typeof buildCore>>;
  let agent: Agent;
  let seq = 0;

  /** A new ticket by mail; returns the id of its `ticket.created` event. */
  const newTicket = async (subject: string): Promise<{ ticketId: string; eventId: string }> => {
    seq++;
    await gateway.channels.email.intake(await buildMail({ messageId: `<fq-${seq}@example.org>`, from: `Ann <ann${seq}@example.org>`, subject, text: 'Hello' }), 'test', gateway.ingest);
    const message = (await gateway.repos.messages.byExternalId('email', `fq-${seq}@example.org`))!;
    const queued = await gateway.models.AgentFanout.find({ ticketId: message.ticketId, type: 'ticket.created' }).lean();
    expect(queued).toHaveLength(1);
    return { ticketId: message.ticketId, eventId: String(queued[0]!._id) };
  };
  const notificationsOf = (ticketId: string) => conn.collection('outbox').find({ kind: 'agent-notification', ticketId, 'to.address': agent.email }).toArray();
  const trail = (ticketId: string) => conn.collection('ticket_events').find({ ticketId, type: 'ticket.created' }).toArray();

  beforeAll(async () => {
    // A core whose passes are not started: no timer or publisher runs the fan-out behind the test's back.
    const dbName = testDbName('fanoutqueue');
    conn = await mongoose.createConnection(mongoUri(), { dbName, monitorCommands: true, autoIndex: false, bufferCommands: false }).asPromise();
    gateway = await buildCore(testConfig({ database: { dbName }, sla: { enabled: false } }), conn, createLogger('silent'));
    agent = (await gateway.agents.create({ email: 'lia@agents.test', displayName: 'Lia', role: 'agent', tier: 'L1', language: 'en', notifications: {} })).agent;
  });

  afterAll(async () => {
    await conn?.dropDatabase().catch(() => {});
    await conn?.close();
  });

  it('keeps a pending event in the queue, then mails the agent once and moves the event to the audit trail', async () => {
    const { ticketId, eventId } = await newTicket('Printer on fire');
    expect(await trail(ticketId)).toHaveLength(0);
    expect(await gateway.fanout.runDue()).toBe(1);
    expect(await notificationsOf(ticketId)).toHaveLength(1);
    expect((await trail(ticketId)).map((e) => e._id)).toEqual([eventId]);
    expect(await gateway.models.AgentFanout.countDocuments({})).toBe(0);
    expect(await gateway.fanout.runDue()).toBe(0);
    expect(await notificationsOf(ticketId)).toHaveLength(1);
  });

  it('queues nothing twice after a crash between queuing the mails and leaving the queue', async () => {
    const { ticketId, eventId } = await newTicket('Scanner jammed');
    const pending = await gateway.models.AgentFanout.findById(eventId).lean();
    await gateway.fanout.runDue();
    // The state a crash leaves after the mails were queued and the event stored, before the queue
    // entry was deleted; and the one after the mails, before the audit trail got the event.
    await gateway.models.AgentFanout.collection.insertOne(pending as never);
    await gateway.fanout.runDue();
    await gateway.models.AgentFanout.collection.insertOne(pending as never);
    await conn.collection('ticket_events').deleteOne({ _id: eventId as never });
    await gateway.fanout.runDue();
    expect(await notificationsOf(ticketId)).toHaveLength(1);
    expect(await trail(ticketId)).toHaveLength(1);
    expect(await gateway.models.AgentFanout.countDocuments({})).toBe(0);
  });

  it('fans out events an older version marked pending in the audit trail, once, after a restart', async () => {
    const { ticketId, eventId } = await newTicket('Old version mail');
    // How the version before the queue stored it: in ticket_events, marked.
    const { _id, ...event } = (await gateway.models.AgentFanout.findById(eventId).lean())!;
    await gateway.models.AgentFanout.deleteOne({ _id });
    await conn.collection('ticket_events').insertOne({ _id: _id as never, ...event, fanout: 'pending' });
    await ensureIndexes(gateway.models); // what a start runs
    await gateway.fanout.runDue();
    await ensureIndexes(gateway.models); // a second start finds nothing left to adopt
    await gateway.fanout.runDue();
    expect(await notificationsOf(ticketId)).toHaveLength(1);
    const stored = await trail(ticketId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.fanout).toBeUndefined();
    expect(await gateway.models.AgentFanout.countDocuments({})).toBe(0);
  });

  it('reads the queue, never the audit trail, to find pending events', async () => {
    await newTicket('One more');
    const commands: string[] = [];
    const client = conn.getClient();
    const listener = (e: CommandStartedEvent) => { if (e.commandName === 'find') commands.push(String(e.command.find)); };
    client.on('commandStarted', listener);
    try {
      await gateway.fanout.runDue();
    } finally {
      client.off('commandStarted', listener);
    }
    expect(commands).toContain('agent_fanout');
    expect(commands).not.toContain('ticket_events');
  });

  it('reads no ticket or message for a queued event no agent takes mail for any more, and still moves it to the audit trail', async () => {
    const { ticketId, eventId } = await newTicket('Nobody is told');
    await gateway.agents.update(agent.id, { notifications: { newTickets: false } });
    try {
      const commands: string[] = [];
      const client = conn.getClient();
      const listener = (e: CommandStartedEvent) => { if (e.commandName === 'find') commands.push(String(e.command.find)); };
      client.on('commandStarted', listener);
      try {
        expect(await gateway.fanout.runDue()).toBe(0);
      } finally {
        client.off('commandStarted', listener);
      }
      expect(commands).not.toContain('tickets');
      expect(commands).not.toContain('messages');
      expect(await notificationsOf(ticketId)).toHaveLength(0);
      expect((await trail(ticketId)).map((e) => e._id)).toEqual([eventId]);
    } finally {
      await gateway.agents.update(agent.id, { notifications: { newTickets: true } });
    }
  });

  it('records an event no agent takes mail for straight into the audit trail, so the pass has nothing to do for it', async () => {
    await gateway.agents.update(agent.id, { notifications: { newTickets: false } });
    try {
      seq++;
      await gateway.channels.email.intake(await buildMail({ messageId: `<fq-${seq}@example.org>`, from: `Ann <ann${seq}@example.org>`, subject: 'Nobody takes these', text: 'Hello' }), 'test', gateway.ingest);
      const { ticketId } = (await gateway.repos.messages.byExternalId('email', `fq-${seq}@example.org`))!;
      expect(await gateway.models.AgentFanout.countDocuments({ ticketId })).toBe(0);
      expect(await trail(ticketId)).toHaveLength(1);
      expect(await gateway.fanout.runDue()).toBe(0);
      expect(await notificationsOf(ticketId)).toHaveLength(0);
    } finally {
      await gateway.agents.update(agent.id, { notifications: { newTickets: true } });
    }
    // With the switch on again, the next new ticket is queued and mailed as before.
    const { ticketId } = await newTicket('Told again');
    expect(await gateway.fanout.runDue()).toBe(1);
    expect(await notificationsOf(ticketId)).toHaveLength(1);
  });
});
