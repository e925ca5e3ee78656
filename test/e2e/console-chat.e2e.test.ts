/**
 * An agent joins a live chat from the console, in Debian Chromium against a real gateway and
 * FerretDB. The visitor is a socket.io client on /chat: it opens a chat; the agent signs in to the
 * console, opens the chat ticket and joins (on /agents, with the console's session), sees the
 * conversation so far and the visitor's next line live, sees the visitor typing, answers from the
 * panel (the visitor sees the agent typing, then receives the answer on its socket), and leaves.
 * Also: the panel in Indonesian.
 */
import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { chatConfig, collect, connectVisitor, issueVisitor, request, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { stopGateway } from '../support/teardown.ts';

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium (/usr/bin/chromium)', 'console-chat.e2e'))('the console joins a live chat', () => {
  let gateway: Gateway;
  let browser: Browser;
  let base: string;
  let visitor: Socket;
  let ticketNumber = 0;
  let ana: Page;
  let session: ConsoleSession;

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('console_chat') }, ...chatConfig() }),
      mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    await gateway.agents.create({ email: 'ana@helpdesk.test', displayName: 'Ana', role: 'agent', tier: 'L1', language: 'en' }, 'ana-password-123');
    await gateway.agents.create({ email: 'bo@helpdesk.test', displayName: 'Bo', role: 'agent', tier: 'L1', language: 'id' }, 'bo-password-123');
    browser = await launchChromium();
    session = consoleSession(browser, base);
  });

  afterAll(async () => {
    visitor?.close();
    await session?.close();
    await browser?.close();
    await stopGateway(gateway);
  });

  it('a visitor opens a chat', async () => {
    const { body } = await issueVisitor(base);
    visitor = await connectVisitor(base, body.visitorToken);
    const ack = await request<{ ok: true; ticketNumber: number }>(visitor, 'message:send', { clientId: 'v-1', text: 'My parcel is three days late.' });
    expect(ack.ok).toBe(true);
    ticketNumber = ack.ticketNumber;
  });

  it('the agent joins from the chat ticket and sees the conversation so far, then the next line live', async () => {
    ana = await session.signIn('ana@helpdesk.test', 'ana-password-123');
    await ana.getByRole('heading', { name: 'Queue' }).waitFor();
    await ana.goto(`${base}/#/tickets/${ticketNumber}`);
    const panel = ana.locator('.live-chat');
    await panel.getByRole('heading', { name: 'Live chat' }).waitFor();
    await panel.getByRole('button', { name: 'Join chat' }).click();
    await panel.getByText('You are in the conversation.').waitFor();
    await panel.locator('.chat-line').filter({ hasText: 'My parcel is three days late.' }).waitFor();
    await request(visitor, 'message:send', { clientId: 'v-2', text: 'The order number is 5521.' });
    await panel.locator('.chat-line.chat-visitor').filter({ hasText: 'The order number is 5521.' }).waitFor();
  });

  it('shows the visitor typing, and tells the visitor when the agent types', async () => {
    const panel = ana.locator('.live-chat');
    visitor.emit('typing', { typing: true });
    await panel.getByText('The visitor is typing…').waitFor();
    visitor.emit('typing', { typing: false });
    await expect.poll(() => panel.locator('.chat-typing').isHidden(), { timeout: 10_000 }).toBe(true);
    const typing = collect<{ typing: boolean; agentName?: string }>(visitor, 'typing');
    await panel.getByLabel('Message to the visitor').pressSequentially('Let me check');
    await waitUntil(() => typing.find((e) => e.typing && e.agentName === 'Ana'), 'the agent typing at the visitor');
  });

  it('answers through the socket: the visitor receives it live under the agent\'s name', async () => {
    const panel = ana.locator('.live-chat');
    const box = panel.getByLabel('Message to the visitor');
    await box.fill('Let me check with the courier, one moment.');
    await panel.getByRole('button', { name: 'Send to chat' }).click();
    const lines = collect<Line>(visitor, 'message');
    const line = await waitUntil(() => lines.find((l) => l.text === 'Let me check with the courier, one moment.'), 'the answer on the visitor socket');
    expect(line).toMatchObject({ author: 'agent', agentName: 'Ana' });
    await panel.locator('.chat-line.chat-agent').filter({ hasText: 'Let me check with the courier, one moment.' }).waitFor();
    expect(await box.inputValue()).toBe('');
    // Stored on the ticket like any agent reply: the thread shows it too.
    await ana.locator('.thread').getByText('Let me check with the courier, one moment.').first().waitFor();
  });

  it('leaves: the panel offers to join again and the visitor sees no agent online', async () => {
    const presence = collect<{ agentsOnline: number }>(visitor, 'presence');
    const panel = ana.locator('.live-chat');
    await panel.getByRole('button', { name: 'Leave chat' }).click();
    await panel.getByText('You left the conversation.').waitFor();
    await panel.getByRole('button', { name: 'Join chat' }).waitFor();
    await waitUntil(() => presence.at(-1)?.agentsOnline === 0, 'presence without agents');
  });

  it('speaks Indonesian for an Indonesian agent', async () => {
    const bo = await session.signIn('bo@helpdesk.test', 'bo-password-123');
    await bo.getByRole('heading', { name: 'Antrean' }).waitFor();
    await bo.goto(`${base}/#/tickets/${ticketNumber}`);
    const panel = bo.locator('.live-chat');
    await panel.getByRole('heading', { name: 'Obrolan langsung' }).waitFor();
    await panel.getByRole('button', { name: 'Gabung ke obrolan' }).click();
    await panel.getByText('Anda berada dalam percakapan.').waitFor();
    await panel.locator('.chat-line').filter({ hasText: 'The order number is 5521.' }).waitFor();
    await panel.getByRole('button', { name: 'Tinggalkan obrolan' }).click();
  });

  it('raised no error in the page', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
