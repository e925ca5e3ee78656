/**
 * Chat load as the widget sends it: a few visitors (each a site's signed-in user, so their ticket
 * is acknowledged by mail too), each with one socket to the gateway. A message counts as accepted
 * only on `{ ok: true }`; a `{ ok: false }` with a retry code, a timeout or a dropped socket leaves it
 * unacked, and it is sent again (after a reconnect, with `lastSeq`) under the same clientId.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { siteIdentitySignature } from '../../../channels/chat/visitor-token.ts';
import type { LoadItem, LoadSource, Offer } from './load-source.ts';

/** The site the fault bed configures (CHAT_SITES). */
export const FAULT_CHAT_SITE = { key: 'faults', origins: [] as string[], identitySecret: 'fault-identity-secret-0123456789' };

/** Codes after which the widget sends the same clientId again (docs/chat-protocol.md, section 4). */
const RETRY_CODES = new Set(['unavailable', 'rate-limited']);
const ACK_TIMEOUT_MS = 30_000;

interface Visitor {
  email: string;
  token?: string;
  visitorId?: string;
  socket?: Socket;
  lastSeq: number;
}

type SendAck = { ok: true; seq: number; ticketNumber: number } | { ok: false; code: string };

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Resolves once the namespace is joined. A gateway killed between the transport opening and the
 * namespace's answer fires neither `connect` nor `connect_error` (reconnection is off), so the
 * transport's close and a timer end the wait too.
 */
function opened(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => { clearTimeout(timer); socket.close(); reject(err); };
    const timer = setTimeout(() => fail(new Error('no chat connection within 10 s')), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => { clearTimeout(timer); resolve(socket); });
    socket.once('connect_error', fail);
    socket.io.once('close', (reason) => { if (!socket.connected) fail(new Error(`transport closed before connect: ${reason}`)); });
  });
}

export function chatSource(run: string, base: () => string, visitorCount = 4): LoadSource {
  const visitors: Visitor[] = Array.from({ length: visitorCount }, (_, i) => ({ email: `chat-${run}-${i + 1}@example.org`, lastSeq: 0 }));

  async function tokenOf(v: Visitor): Promise<string> {
    if (v.token) return v.token;
    const res = await fetch(`${base()}/api/v1/chat/visitors`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey: FAULT_CHAT_SITE.key, identity: { email: v.email, signature: siteIdentitySignature(FAULT_CHAT_SITE.identitySecret, v.email) } }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = await res.json() as { visitorToken?: string; visitorId?: string; verified?: boolean; error?: string };
    if (!res.ok || !body.visitorToken || !body.verified) throw new Error(`visitor token: ${res.status} ${body.error ?? ''}`);
    v.token = body.visitorToken;
    v.visitorId = body.visitorId;
    return v.token;
  }

  async function socketOf(v: Visitor): Promise<Socket> {
    if (v.socket?.connected) return v.socket;
    v.socket?.close();
    const visitorToken = await tokenOf(v);
    v.socket = connect(`${base()}/chat`, {
      auth: (cb) => cb({ visitorToken, lastSeq: v.lastSeq }),
      transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5_000,
    });
    // Replayed and live lines move the cursor, as the widget's `lastSeq` does.
    v.socket.on('message', (line: { seq: number }) => { v.lastSeq = Math.max(v.lastSeq, line.seq); });
    return opened(v.socket);
  }

  async function send(socket: Socket, clientId: string, text: string): Promise<SendAck> {
    let onDrop: (() => void) | undefined;
    const dropped = new Promise<never>((_, reject) => {
      onDrop = () => reject(new Error('socket disconnected before the ack'));
      socket.once('disconnect', onDrop);
    });
    try {
      return await Promise.race([socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', { clientId, text }) as Promise<SendAck>, dropped]);
    } finally {
      socket.off('disconnect', onDrop);
    }
  }

  return {
    name: 'chat/socket', channel: 'chat',
    item: (seq: number): LoadItem => ({ seq, key: `${run}-chat-${seq}` }),
    async offer(item): Promise<Offer> {
      const v = visitors[(item.seq - 1) % visitors.length]!;
      try {
        const socket = await socketOf(v);
        const ack = await send(socket, item.key, `Chat message ${item.seq} of the ${run} fault run.`);
        if (ack.ok) {
          v.lastSeq = Math.max(v.lastSeq, ack.seq);
          return { status: 'accepted', externalId: `${v.visitorId}:${item.key}` };
        }
        return { status: RETRY_CODES.has(ack.code) ? 'retry' : 'rejected', detail: `ack ${ack.code}` };
      } catch (err) {
        return { status: 'retry', detail: (err as Error).message };
      }
    },
    close() {
      for (const v of visitors) v.socket?.close();
    },
  };
}
