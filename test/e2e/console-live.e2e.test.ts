/**
 * The agent console in a real browser against a real gateway (Dovecot in, SMTP sink out): an agent
 * signs in, sees a ticket arrive live from a mail delivered into Dovecot (the page is never
 * reloaded), opens it, replies and changes its status; the customer gets the reply and the status
 * update, threaded, at the SMTP peer; a second agent on the same ticket is shown as viewing and then typing; the
 * console speaks Indonesian for an agent whose language is Indonesian, and switches on request.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { dovecotAvailable } from '../support/dovecot.ts';
import { startEmailGateway, type EmailGateway } from '../support/email-gateway.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';

const USER = 'consoledesk';
const available = chromiumAvailable() && dovecotAvailable();

describe.skipIf(skipUnless(available, 'Debian chromium and Dovecot', 'console-live.e2e'))('the agent console', () => {
  let env: EmailGateway;
  let browser: Browser;
  let base: string;
  let session: ConsoleSession;
  let ana: Page;
  let bo: Page;
  let ticketNumber = 0;

  beforeAll(async () => {
    env = await startEmailGateway(USER);
    base = `http://127.0.0.1:${env.gateway.httpPort()}`;
    const { agents } = env.gateway;
    await agents.create({ email: 'ana@helpdesk.test', displayName: 'Ana', role: 'admin', tier: 'L1', language: 'en' }, 'ana-password-123');
    await agents.create({ email: 'bo@helpdesk.test', displayName: 'Bo', role: 'agent', tier: 'L2', language: 'id' }, 'bo-password-123');
    browser = await launchChromium();
    session = consoleSession(browser, base);
  });

  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await env?.stop();
  });

  it('answers / and /console with the sign-in page, under a strict content security policy', async () => {
    for (const path of ['/', '/console']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('/console/assets/app.js');
    }
    expect((await fetch(`${base}/console/vendor/socket.io.esm.min.js`)).status).toBe(200);
  });

  it('refuses a wrong password and signs the agent in with the right one', async () => {
    ana = await session.signIn('ana@helpdesk.test', 'not-her-password');
    await ana.getByRole('alert').filter({ hasText: 'Wrong address or password.' }).waitFor();
    await ana.getByLabel('Password').fill('ana-password-123');
    await ana.getByRole('button', { name: 'Sign in' }).click();
    await ana.getByRole('heading', { name: 'Queue' }).waitFor();
    await ana.getByText('Signed in as Ana (L1)').waitFor();
    await ana.locator('.live.on').waitFor();
    expect(await ana.getByText('No tickets match.').count()).toBe(1);
  });

  it('shows a ticket the moment its mail arrives in the mailbox, without a reload', async () => {
    const raw = await buildMail({
      messageId: '<console-1@example.org>', from: 'Dina <dina@example.org>', to: `${USER}@example.test`,
      subject: 'Printer on floor 3 jams', text: 'The printer on floor 3 jams on every page.',
    });
    await env.dovecot.deliver({ user: USER, raw, envelopeFrom: 'dina@example.org' });
    const row = ana.locator('tr[data-number]').filter({ hasText: 'Printer on floor 3 jams' });
    await row.waitFor({ timeout: 60_000 });
    ticketNumber = Number(await row.getAttribute('data-number'));
    expect(ticketNumber).toBeGreaterThan(0);
    await expect.poll(async () => ana.locator('[data-status=new]').textContent(), { timeout: 15_000 }).toBe('New (1)');
    await expect.poll(async () => ana.locator('[data-status=all]').textContent(), { timeout: 15_000 }).toBe('All (1)');
  });

  it('opens the ticket with its thread and says which channel a reply takes', async () => {
    await ana.getByRole('link', { name: `#${ticketNumber}` }).click();
    await ana.getByRole('heading', { name: `#${ticketNumber} Printer on floor 3 jams` }).waitFor();
    await ana.locator('.thread').getByText('The printer on floor 3 jams on every page.').waitFor();
    expect(await ana.locator('#reply-hint').textContent()).toBe('This reply goes by email to dina@example.org.');
    await ana.getByLabel('Internal note (never sent to the customer)').check();
    expect(await ana.locator('#reply-hint').textContent()).toBe('Only agents see notes.');
    await ana.getByLabel('Public reply').check();
  });

  it('warns each agent when another is viewing or typing on the same ticket', async () => {
    bo = await session.signIn('bo@helpdesk.test', 'bo-password-123');
    // Bo's language is Indonesian: his console starts in it.
    await bo.getByRole('heading', { name: 'Antrean' }).waitFor();
    expect(await bo.locator('html').getAttribute('lang')).toBe('id');
    await bo.getByRole('link', { name: `#${ticketNumber}` }).click();
    await bo.getByRole('heading', { name: `#${ticketNumber} Printer on floor 3 jams` }).waitFor();
    await ana.locator('.presence').getByText('Bo is also viewing this ticket.').waitFor();
    await bo.locator('.presence').getByText('Ana juga sedang melihat tiket ini.').waitFor();
    await bo.locator('#reply-text').pressSequentially('Saya cek');
    await ana.locator('.presence').getByText('Bo is typing a reply.').waitFor();
    // Bo goes back to the queue: the warning goes away.
    await bo.goto(`${base}/#/`);
    await expect.poll(async () => ana.locator('.presence').isHidden(), { timeout: 15_000 }).toBe(true);
  });

  it('sends a reply that reaches the customer in the thread, and shows its delivery', async () => {
    await ana.locator('#reply-text').fill('We are sending a technician this afternoon.');
    await ana.getByRole('button', { name: 'Send' }).click();
    const reply = await waitUntil(() => env.sink.messages.find((m) => m.parsed.text?.includes('We are sending a technician this afternoon.')),
      'the reply at the SMTP sink', 30_000);
    expect(reply.envelope.to).toEqual(['dina@example.org']);
    expect(reply.parsed.inReplyTo).toBe('<console-1@example.org>');
    expect(reply.parsed.subject).toContain(`[#${ticketNumber}]`);
    const sent = ana.locator('.message.outbound').filter({ hasText: 'We are sending a technician this afternoon.' });
    await sent.locator('.delivery-sent').getByText('Delivery: sent').waitFor({ timeout: 30_000 });
    // A reply moves a new ticket to pending; the queue heard it live.
    await expect.poll(async () => ana.locator('[data-status=pending]').textContent(), { timeout: 15_000 }).toBe('Pending (1)');
  });

  it('adds an internal note that never reaches the customer', async () => {
    const before = env.sink.messages.length;
    await ana.getByLabel('Internal note (never sent to the customer)').check();
    await ana.locator('#reply-text').fill('Floor 3 printer: second time this month.');
    await ana.getByRole('button', { name: 'Add note' }).click();
    await ana.locator('.message.internal').getByText('Floor 3 printer: second time this month.').waitFor();
    await new Promise((r) => setTimeout(r, 1000));
    expect(env.sink.messages.slice(before).some((m) => m.parsed.text?.includes('second time this month'))).toBe(false);
  });

  it('changes status, assignee and tier from the controls; the queue follows live', async () => {
    const controls = ana.locator('form.controls');
    await controls.getByLabel('Status').selectOption('resolved');
    await controls.getByLabel('Assignee').selectOption({ label: 'Bo (L2)' });
    await ana.getByRole('button', { name: 'Save changes' }).click();
    await ana.locator('.meta').getByText('Resolved').waitFor();
    await ana.getByLabel('Reason').fill('Needs someone on site');
    await ana.getByLabel('Escalate to tier').selectOption('L3');
    await ana.getByRole('button', { name: 'Escalate', exact: true }).click();
    await ana.getByText('Escalated to L3.').waitFor();
    const stored = await (await env.api(`/api/v1/tickets/${ticketNumber}`)).json();
    expect(stored).toMatchObject({ status: 'resolved', tier: 'L3', assigneeId: expect.stringMatching(/^ag_/) });
    // The customer hears of the resolution (resolved is in the default STATUS_UPDATES), in the thread.
    const update = await waitUntil(() => env.sink.messages.find((m) => m.parsed.subject?.startsWith(`[#${ticketNumber}] Your request has been resolved`)),
      'the status update at the SMTP sink', 30_000);
    expect(update.envelope.to).toEqual(['dina@example.org']);
    expect(update.parsed.references).toContain('<console-1@example.org>');
    // Bo's queue (in Indonesian) shows the new status without a reload.
    await expect.poll(async () => bo.locator('[data-status=resolved]').textContent(), { timeout: 15_000 }).toBe('Selesai (1)');
    await bo.getByLabel('Penanggung jawab').selectOption('me');
    await bo.locator('tr[data-number]').filter({ hasText: 'Printer on floor 3 jams' }).waitFor();
  });

  it('says where a reply to a chat ticket goes: the live chat, and no mail without an address', async () => {
    const { ticketNumber: chat } = await env.gateway.ingest.ingest({
      channel: 'chat', externalId: 'console-chat-1', from: { channelUserId: 'v_console', name: 'Visitor' }, to: [], cc: [],
      subject: 'Chat', text: 'Is the shop open on Sunday?', visibleText: 'Is the shop open on Sunday?', attachments: [], receivedAt: new Date(),
      threadHints: { replyTokens: [], references: [], conversationId: 'c_console' }, classification: 'human', classificationReason: 'chat message',
    });
    await ana.locator(`tr[data-number="${chat}"]`).waitFor();
    await ana.getByRole('link', { name: `#${chat}` }).click();
    await ana.locator('.thread').getByText('Is the shop open on Sunday?').waitFor();
    expect(await ana.locator('#reply-hint').textContent())
      .toBe('This reply goes to the live chat; the visitor sees it when they are connected (there is no address to mail).');
    await ana.getByRole('link', { name: `#${ticketNumber}` }).click();
    await ana.getByRole('heading', { name: `#${ticketNumber} Printer on floor 3 jams` }).waitFor();
  });

  it('switches the console to Indonesian and keeps it as the agent\'s language', async () => {
    await ana.getByLabel('Language').selectOption('id');
    await ana.getByRole('heading', { name: 'Antrean' }).waitFor();
    await ana.getByRole('heading', { name: 'Percakapan' }).waitFor();
    expect(await ana.locator('html').getAttribute('lang')).toBe('id');
    const me = await waitUntil(async () => {
      const agent = await env.gateway.agents.byEmail('ana@helpdesk.test');
      return agent?.language === 'id' ? agent : null;
    }, 'the language setting stored');
    expect(me.language).toBe('id');
    expect(session.pageErrors).toEqual([]);
  });
});
