/**
 * The gateway process is killed (SIGKILL) in the middle of a conversation and started again: the
 * visitor reconnects with its lastSeq and resends what was not acknowledged (same clientIds).
 * Nothing acknowledged is lost, nothing is stored or shown twice, and the numbering goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { chatProcessEnv, collect, connectAgent, connectVisitor, issueVisitor, request, untilServing, type Line } from '../support/chat.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { waitUntil } from '../support/skip.ts';

const ADMIN = 'test-admin-token-0123456789';
type SendAck = { ok: boolean; seq: number; ticketNumber: number; code?: string };

describe('chat across a killed gateway process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-restart-'));
  const running: GatewayProcess[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const gw of running) await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and duplicates nothing when the visitor reconnects with lastSeq and resends', async () => {
    const port = await freePort();
    const env = chatProcessEnv({ mongoUri: mongoUri(), dbName: testDbName('chatrestart'), port, dataDir });
    const base = `http://127.0.0.1:${port}`;
    const first = spawnGateway(env);
    running.push(first);
    await untilServing(base);

    const { visitorToken } = (await issueVisitor(base)).body;
    const before = await connectVisitor(base, visitorToken);
    sockets.push(before);
    const seenBefore = collect<Line>(before, 'message');
    const acked = new Map<string, SendAck>();
    const texts = new Map<string, string>();
    const send = async (socket: Socket, clientId: string) => {
      texts.set(clientId, `line ${clientId}`);
      const ack = await request<SendAck>(socket, 'message:send', { clientId, text: `line ${clientId}` });
      if (ack.ok) acked.set(clientId, ack);
      return ack;
    };
    for (const id of ['c1', 'c2', 'c3']) await send(before, id);
    const ticketNumber = acked.get('c1')!.ticketNumber;
    const agent = await connectAgent(base, ADMIN, 'Sari');
    sockets.push(agent);
    expect(await request(agent, 'message:send', { ticketNumber, clientId: 'r1', text: 'Reply before the crash' })).toMatchObject({ ok: true });

    // Five more in flight; the process dies as soon as the first of them is acknowledged.
    const inFlight = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const pending = inFlight.map((id) => send(before, id).catch(() => null));
    await waitUntil(() => acked.has('k0') || [...acked.keys()].some((k) => k.startsWith('k')), 'one in-flight message to be acknowledged');
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(pending);
    await waitUntil(() => before.disconnected, 'the visitor to notice');
    const lastSeq = Math.max(...seenBefore.map((l) => l.seq));

    const second = spawnGateway(env);
    running.push(second);
    await untilServing(base);
    const after = await connectVisitor(base, visitorToken, lastSeq);
    sockets.push(after);
    const seenAfter = collect<Line>(after, 'message');
    // The client resends everything it has no ack for, and (harmlessly) the acknowledged ones too.
    for (const id of inFlight) {
      const earlier = acked.get(id);
      const ack = await send(after, id);
      expect(ack.ok).toBe(true);
      if (earlier) expect(ack).toEqual(earlier);
    }
    const agentAgain = await connectAgent(base, ADMIN, 'Sari');
    sockets.push(agentAgain);
    expect(await request(agentAgain, 'message:send', { ticketNumber, clientId: 'r2', text: 'Reply after the restart' })).toMatchObject({ ok: true });

    const history = (await request<{ messages: Line[] }>(after, 'history', { afterSeq: 0 })).messages;
    const expected = [...[...texts.values()], 'Reply before the crash', 'Reply after the restart'].sort();
    expect(history.map((l) => l.text).sort()).toEqual(expected); // every line once, none lost
    const seqs = history.map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // What the visitor was shown, before and after, is the conversation exactly once, in order.
    await waitUntil(() => seenAfter.some((l) => l.text === 'Reply after the restart'), 'the last reply live');
    const shown = [...seenBefore, ...seenAfter].map((l) => l.seq);
    expect(shown).toEqual(seqs);
    // And the ticket holds each message once.
    const res = await fetch(`${base}/api/v1/tickets/${ticketNumber}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const ticket = await res.json() as { messages: Array<{ text: string }> };
    expect(ticket.messages.map((m) => m.text).sort()).toEqual(expected);
  });

  // A line is its key (the dedupe) and then its numbered line document: the process dies after the
  // key of the second line (no line yet), or after its line (before the ack and the fan-out).
  it.each(['chat.after-key-claim', 'chat.after-line-insert'])('numbers a line once when the process died at %s', async (point) => {
    const port = await freePort();
    const env = chatProcessEnv({ mongoUri: mongoUri(), dbName: testDbName('chatorphan'), port, dataDir });
    const base = `http://127.0.0.1:${port}`;
    const crashing = spawnGateway({ ...env, HELPDESK_CRASH_POINTS: `${point}:2` });
    running.push(crashing);
    await untilServing(base);
    const { visitorToken } = (await issueVisitor(base)).body;
    const socket = await connectVisitor(base, visitorToken);
    sockets.push(socket);
    const one = await request<SendAck>(socket, 'message:send', { clientId: 'o1', text: 'first' });
    expect(one).toMatchObject({ ok: true, seq: 1 });
    socket.emit('message:send', { clientId: 'o2', text: 'second' });
    expect((await crashing.exited).signal).toBe('SIGKILL');

    const restarted = spawnGateway(env);
    running.push(restarted);
    await untilServing(base);
    const back = await connectVisitor(base, visitorToken, 1);
    sockets.push(back);
    expect(await request(back, 'message:send', { clientId: 'o2', text: 'second' })).toEqual({ ok: true, seq: 2, ticketNumber: one.ticketNumber });
    expect(await request(back, 'message:send', { clientId: 'o3', text: 'third' })).toMatchObject({ ok: true, seq: 3 });
    const history = (await request<{ messages: Line[] }>(back, 'history', { afterSeq: 0 })).messages;
    expect(history.map((l) => [l.seq, l.text])).toEqual([[1, 'first'], [2, 'second'], [3, 'third']]);
  });
});
