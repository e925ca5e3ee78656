/**
 * Two gateway processes on one database and one Redis: a visitor on one, agents on the other.
 * Messages, typing, presence and status flow between them through @socket.io/redis-adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { chatProcessEnv, collect, connectAgent, connectVisitor, issueVisitor, request, untilServing, type Line } from '../support/chat.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';

const ADMIN = 'test-admin-token-0123456789';
const REDIS = { host: '127.0.0.1', port: 6379 };

const redisUp = await new Promise<boolean>((resolve) => {
  const probe = tcpConnect(REDIS.port, REDIS.host, () => { probe.end(); resolve(true); });
  probe.once('error', () => resolve(false));
  probe.setTimeout(2000, () => { probe.destroy(); resolve(false); });
});

describe.skipIf(skipUnless(redisUp, `Redis on ${REDIS.host}:${REDIS.port}`, 'chat-redis'))('chat across two gateway processes with Redis', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-redis-'));
  const processes: GatewayProcess[] = [];
  const sockets: Socket[] = [];
  let one: string;
  let two: string;

  beforeAll(async () => {
    const dbName = testDbName('chatredis');
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      processes.push(spawnGateway(chatProcessEnv({
        mongoUri: mongoUri(), dbName, port, dataDir, extra: { REDIS_URL: `redis://${REDIS.host}:${REDIS.port}` },
      })));
    }
    [one, two] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    await Promise.all([untilServing(one), untilServing(two)]);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const gw of processes) await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const track = (s: Socket) => { sockets.push(s); return s; };

  it('carries messages, typing, presence and status between a visitor on one process and agents on the other', async () => {
    const agent = track(await connectAgent(two, ADMIN, 'Budi'));
    const opened = collect<{ ticketNumber: number }>(agent, 'conversation:new');
    const agentLines = collect<{ ticketNumber: number; text: string }>(agent, 'message');

    const { visitorToken } = (await issueVisitor(one)).body;
    const visitor = track(await connectVisitor(one, visitorToken));
    const presence = collect<{ agentsOnline: number }>(visitor, 'presence');
    const lines = collect<Line>(visitor, 'message');
    await waitUntil(() => presence.length > 0, 'presence on connect');
    expect(presence[0]).toEqual({ agentsOnline: 1 }); // the agent is on the other process

    const ack = await request<{ ok: boolean; ticketNumber: number; seq: number }>(visitor, 'message:send', { clientId: 'x1', text: 'Hello from process one' });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    await waitUntil(() => opened.some((o) => o.ticketNumber === ack.ticketNumber), 'conversation:new on process two');
    await waitUntil(() => agentLines.some((l) => l.text === 'Hello from process one'), 'the visitor line on process two');

    expect(await request(agent, 'conversation:join', { ticketNumber: ack.ticketNumber })).toMatchObject({ ok: true });
    const agentTyping = collect<{ ticketNumber: number; typing: boolean }>(agent, 'typing');
    visitor.emit('typing', { typing: true });
    await waitUntil(() => agentTyping.length > 0, 'visitor typing on process two');
    expect(agentTyping[0]).toEqual({ ticketNumber: ack.ticketNumber, typing: true });
    const visitorTyping = collect<{ typing: boolean; agentName: string }>(visitor, 'typing');
    agent.emit('typing', { ticketNumber: ack.ticketNumber, typing: true });
    await waitUntil(() => visitorTyping.length > 0, 'agent typing on process one');
    expect(visitorTyping[0]).toEqual({ typing: true, agentName: 'Budi' });

    expect(await request(agent, 'message:send', { ticketNumber: ack.ticketNumber, clientId: 'y1', text: 'Hello from process two' })).toEqual({ ok: true, seq: 2 });
    await waitUntil(() => lines.some((l) => l.seq === 2), 'the agent reply on process one');
    expect(lines.map((l) => [l.seq, l.author, l.text, l.agentName ?? null])).toEqual([
      [1, 'visitor', 'Hello from process one', null], [2, 'agent', 'Hello from process two', 'Budi'],
    ]);

    // A second agent on process one, then the first one leaves: presence follows on every process.
    const local = track(await connectAgent(one, ADMIN, 'Citra'));
    await waitUntil(() => presence.at(-1)?.agentsOnline === 2, 'presence 2');
    agent.close();
    await waitUntil(() => presence.at(-1)?.agentsOnline === 1, 'presence back to 1');
    local.close();
    await waitUntil(() => presence.at(-1)?.agentsOnline === 0, 'presence 0');

    // A status change made through the API of process two reaches the visitor on process one.
    const statuses = collect<{ ticketNumber: number; status: string }>(visitor, 'status');
    const res = await fetch(`${two}/api/v1/tickets/${ack.ticketNumber}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'resolved' }),
    });
    expect(res.status).toBe(200);
    await waitUntil(() => statuses.length > 0, 'the status on process one');
    expect(statuses[0]).toEqual({ ticketNumber: ack.ticketNumber, status: 'resolved' });
    // Nothing was shown twice; any later line is the status notice (STATUS_UPDATES), not a repeat.
    const seqs = lines.map((l) => l.seq);
    expect(seqs.slice(0, 2)).toEqual([1, 2]);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(lines.slice(2).every((l) => l.author === 'system')).toBe(true);
  });
});
