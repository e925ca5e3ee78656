/** Real socket.io clients for the chat channel: a visitor (/chat) and an agent (/agents). */
import { io as connect, type Socket } from 'socket.io-client';

export const SITE = { key: 'site-a', origins: ['https://shop.example'], identitySecret: 'site-a-identity-secret-0123456789' };

/** The chat slice of a test config with the one test site, plus overrides. */
export function chatConfig(chat: Record<string, unknown> = {}): Record<string, unknown> {
  return { channels: { chat: { sites: [SITE], ...chat } } };
}

export async function issueVisitor(base: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1/chat/visitors`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ siteKey: SITE.key, ...body }),
  });
  return { status: res.status, body: await res.json() as { visitorToken: string; visitorId: string; verified: boolean; error?: string } };
}

/** Every event each socket received, from its very first packet (replays arrive with the connect). */
const inbox = new WeakMap<Socket, Map<string, unknown[]>>();

function opened(socket: Socket): Promise<Socket> {
  const events = new Map<string, unknown[]>();
  inbox.set(socket, events);
  socket.onAny((event: string, payload: unknown) => {
    if (!events.has(event)) events.set(event, []);
    events.get(event)!.push(payload);
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => { socket.close(); reject(err); });
  });
}

export function connectVisitor(base: string, visitorToken: string, lastSeq?: number, options: { transports?: string[]; reconnection?: boolean; origin?: string } = {}): Promise<Socket> {
  return opened(connect(`${base}/chat`, {
    auth: (cb) => cb({ visitorToken, ...(lastSeq !== undefined ? { lastSeq } : {}) }),
    ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
    transports: options.transports ?? ['websocket'], reconnection: options.reconnection ?? false, forceNew: true,
  }));
}

export function connectAgent(base: string, token: string, name?: string): Promise<Socket> {
  return opened(connect(`${base}/agents`, { auth: { token, ...(name ? { name } : {}) }, transports: ['websocket'], reconnection: false, forceNew: true }));
}

/** An agent on /agents the way the console page connects: session cookie, CSRF token, the page's Origin. */
export function connectConsoleAgent(base: string, session: { cookie?: string; csrfToken?: string; origin?: string }): Promise<Socket> {
  const headers: Record<string, string> = {};
  if (session.cookie) headers.cookie = session.cookie;
  if (session.origin) headers.origin = session.origin;
  return opened(connect(`${base}/agents`, {
    auth: session.csrfToken ? { csrfToken: session.csrfToken } : {}, extraHeaders: headers, transports: ['websocket'], reconnection: false, forceNew: true,
  }));
}

/** Everything a socket received on one event since it was created, in order (a live array). */
export function collect<T>(socket: Socket, event: string): T[] {
  const events = inbox.get(socket)!;
  if (!events.has(event)) events.set(event, []);
  return events.get(event) as T[];
}

export function request<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown, timeoutMs = 20_000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

export interface Line { seq: number; author: string; text: string; at: string; agentName?: string }

/** The environment of a gateway process serving chat for the test site on `port`. */
export function chatProcessEnv(options: { mongoUri: string; dbName: string; port: number; dataDir: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    MONGODB_URI: options.mongoUri, HELPDESK_DB_NAME: options.dbName, HELPDESK_DATA_DIR: options.dataDir, PORT: String(options.port),
    HELPDESK_SECRET: 'test-secret-0123456789abcdef', ADMIN_TOKEN: 'test-admin-token-0123456789',
    SUPPORT_ADDRESS: 'support@helpdesk.test', PUBLIC_URL: `http://127.0.0.1:${options.port}`, CHAT_SITES: JSON.stringify([SITE]),
    OUTBOX_POLL_INTERVAL_MS: '200',
    ...options.extra,
  };
}

/** Resolves once the gateway at `base` answers /healthz. */
export async function untilServing(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway at ${base} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
