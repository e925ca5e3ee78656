/**
 * The help desk workflow in the console, in a real browser against a real gateway (Dovecot in, SMTP
 * sink out): an admin writes intake rules in the Rules view (a bad one is refused with the API's
 * message naming the field); a new mail ticket and a new web form ticket get their rule's category
 * and tier and show which rule fired; the mail ticket shows its SLA due times in the calendar's zone
 * and the matching knowledge base article; once answered and resolved, "Save as solution" makes a
 * draft article from it that the agent publishes, the Knowledge base view lists and the public page
 * shows. An agent who is not an admin reads the rules but gets no editor.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signFormToken } from '../../channels/webform/form-token.ts';
import { tokenKeys } from '../../src/gateway.ts';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { dovecotAvailable } from '../support/dovecot.ts';
import { startEmailGateway, type EmailGateway } from '../support/email-gateway.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless } from '../support/skip.ts';

const USER = 'consoleflow';
const available = chromiumAvailable() && dovecotAvailable();

describe.skipIf(skipUnless(available, 'Debian chromium and Dovecot', 'console-workflow.e2e'))('the workflow in the agent console', () => {
  let env: EmailGateway;
  let browser: Browser;
  let base: string;
  let session: ConsoleSession;
  let ana: Page;
  let ticketNumber = 0;
  let vpnArticle = '';

  beforeAll(async () => {
    env = await startEmailGateway(USER, {}, { channels: { webform: {
      categories: ['billing', 'technical'],
      rateLimit: { perIpLimit: 1000, perIpWindowSec: 3600, perAddressLimit: 100, perAddressWindowSec: 3600, keyPrefix: `test:${USER}` },
    } } });
    base = `http://127.0.0.1:${env.gateway.httpPort()}`;
    const { agents } = env.gateway;
    await agents.create({ email: 'ana@helpdesk.test', displayName: 'Ana', role: 'admin', tier: 'L1', language: 'en' }, 'ana-password-123');
    await agents.create({ email: 'bo@helpdesk.test', displayName: 'Bo', role: 'agent', tier: 'L2', language: 'id' }, 'bo-password-123');
    const res = await env.api('/api/v1/kb/articles', {
      method: 'POST',
      body: JSON.stringify({ problem: 'VPN drops every hour', solution: 'Update the VPN client to 5.2.', tags: ['vpn'], language: 'en', status: 'published' }),
    });
    expect(res.status).toBe(201);
    vpnArticle = ((await res.json()) as { id: string }).id;
    browser = await launchChromium();
    session = consoleSession(browser, base);
  });

  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await env?.stop();
  });

  it('lets an admin add a rule; a rule the API refuses shows its message naming the field, and the list stays as edited', async () => {
    ana = await session.signIn('ana@helpdesk.test', 'ana-password-123', { waitFor: '.live.on' });
    await ana.getByRole('navigation').getByRole('link', { name: 'Rules' }).click();
    await ana.getByRole('heading', { name: 'Intake rules' }).waitFor();
    await ana.getByText('No rules yet: new tickets keep the defaults.').waitFor();
    await ana.getByRole('button', { name: 'Add rule' }).click();
    const editor = ana.locator('form.rule-editor');
    await editor.getByLabel('Name').fill('VPN to network');
    await editor.getByLabel('Words or phrases').fill('vpn!');
    await editor.getByLabel('Category').fill('network');
    await editor.getByLabel('Tier').selectOption('L2');
    await editor.getByRole('button', { name: 'Apply' }).click();
    await ana.getByText('Unsaved changes: save the rules to put them in force.').waitFor();
    await ana.getByRole('button', { name: 'Save rules' }).click();
    const refusal = ana.getByRole('alert').filter({ hasText: 'The rules were not saved' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('rules.0.when.words.0: a word or phrase of letters and digits');
    expect((await (await env.api('/api/v1/rules')).json()).rules).toEqual([]);
    // The refused list is still there to fix, also after a look at the queue.
    await ana.getByRole('navigation').getByRole('link', { name: 'Queue' }).click();
    await ana.getByRole('heading', { name: 'Queue' }).waitFor();
    await ana.getByRole('navigation').getByRole('link', { name: 'Rules' }).click();
    await ana.getByText('Unsaved changes: save the rules to put them in force.').waitFor();

    await ana.getByRole('button', { name: 'Edit rule VPN to network' }).click();
    await editor.getByLabel('Words or phrases').fill('vpn, virtual private network');
    await editor.getByRole('button', { name: 'Apply' }).click();
    // A second rule, then moved above the first: the order is what the API stores.
    await ana.getByRole('button', { name: 'Add rule' }).click();
    await editor.getByLabel('Name').fill('Billing form');
    await editor.getByLabel('Web form').check();
    await editor.getByLabel('Form categories').fill('billing');
    await editor.getByLabel('Category').fill('billing');
    await editor.getByLabel('Priority').selectOption('high');
    await editor.getByLabel('Tier').selectOption('L3');
    await editor.getByRole('button', { name: 'Apply' }).click();
    await ana.getByRole('button', { name: 'Move up rule Billing form' }).click();
    await ana.getByRole('button', { name: 'Save rules' }).click();
    await ana.getByRole('status').filter({ hasText: 'Rules saved.' }).waitFor();
    const { rules } = await (await env.api('/api/v1/rules')).json();
    expect(rules).toEqual([
      { id: 'billing-form', name: 'Billing form', enabled: true, when: { channels: ['webform'], formCategories: ['billing'] }, then: { category: 'billing', priority: 'high', tier: 'L3' } },
      { id: 'vpn-to-network', name: 'VPN to network', enabled: true, when: { words: ['vpn', 'virtual private network'] }, then: { category: 'network', tier: 'L2' } },
    ]);
  });

  it('shows the rules to an agent who is not an admin, without the editor (in his language)', async () => {
    const bo = await session.signIn('bo@helpdesk.test', 'bo-password-123', { waitFor: '.live.on' });
    await bo.getByRole('navigation').getByRole('link', { name: 'Aturan' }).click();
    await bo.getByRole('heading', { name: 'Aturan penerimaan' }).waitFor();
    await bo.getByText('Hanya admin yang dapat mengubah aturan.').waitFor();
    await bo.locator('li[data-rule=vpn-to-network]').getByText('VPN to network').waitFor();
    expect(await bo.getByRole('button', { name: /Tambah aturan|Simpan aturan|Ubah/ }).count()).toBe(0);
  });

  it('routes a new mail ticket by the rule, and shows the rule, the SLA due times and the matching article', async () => {
    const raw = await buildMail({
      messageId: '<flow-1@example.org>', from: 'Dina <dina@example.org>', to: `${USER}@example.test`,
      subject: 'VPN drops again', text: 'My VPN drops every hour since this morning.',
    });
    await env.dovecot.deliver({ user: USER, raw, envelopeFrom: 'dina@example.org' });
    await ana.getByRole('navigation').getByRole('link', { name: 'Queue' }).click();
    const row = ana.locator('tr[data-number]').filter({ hasText: 'VPN drops again' });
    await row.waitFor({ timeout: 60_000 });
    ticketNumber = Number(await row.getAttribute('data-number'));
    const stored = await (await env.api(`/api/v1/tickets/${ticketNumber}`)).json();
    expect(stored).toMatchObject({ category: 'network', tier: 'L2' });

    await ana.getByRole('link', { name: `#${ticketNumber}` }).click();
    await ana.getByRole('heading', { name: `#${ticketNumber} VPN drops again` }).waitFor();
    await ana.locator('.rule-decision').getByText('Rule that fired: rule "VPN to network"').waitFor();
    expect(await ana.locator('form.controls').getByLabel('Category').inputValue()).toBe('network');

    // Due times in the calendar's zone (Asia/Jakarta by default), whatever the browser's zone.
    const sla = ana.locator('section.sla');
    await sla.getByText('Times in Asia/Jakarta.').waitFor();
    const jakarta = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'Asia/Jakarta' }).format(new Date(iso));
    for (const target of ['firstResponse', 'resolution'] as const) {
      const line = sla.locator(`[data-target=${target}]`);
      expect(await line.getAttribute('data-state')).toBe('running');
      expect(await line.textContent()).toMatch(/^Due /);
      expect(await line.textContent()).toContain(jakarta(stored.sla[target].dueAt));
    }

    // The article the acknowledgement offered, and the best matches now, each linking to the article.
    const suggestions = ana.locator('section.kb-suggestions');
    await suggestions.getByRole('heading', { name: 'Offered to the customer' }).waitFor();
    const link = suggestions.locator('.kb-matches').getByRole('link', { name: 'VPN drops every hour' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`#/kb/${vpnArticle}`);
  });

  it('routes a new web form ticket by the form category', async () => {
    const res = await fetch(`${base}/api/v1/forms/submit`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Eko', email: 'eko@example.org', subject: 'Invoice charged twice', message: 'My November invoice was charged twice.',
        category: 'billing', formToken: signFormToken(tokenKeys(testConfig({})), new Date(Date.now() - 10_000)),
      }),
    });
    expect(res.status).toBe(201);
    const row = ana.locator('tr[data-number]').filter({ hasText: 'Invoice charged twice' });
    await row.waitFor({ timeout: 15_000 });
    const number = Number(await row.getAttribute('data-number'));
    expect(await (await env.api(`/api/v1/tickets/${number}`)).json()).toMatchObject({ channel: 'webform', category: 'billing', priority: 'high', tier: 'L3' });
    await ana.getByRole('link', { name: `#${number}` }).click();
    await ana.locator('.rule-decision').getByText('Rule that fired: rule "Billing form"').waitFor();
    await ana.getByRole('link', { name: `#${ticketNumber}` }).click();
    await ana.getByRole('heading', { name: `#${ticketNumber} VPN drops again` }).waitFor();
  });

  it('pauses the SLA while the ticket waits on the customer, and marks the first response met', async () => {
    await ana.locator('#reply-text').fill('Please update the VPN client to version 5.2 and restart.');
    await ana.getByRole('button', { name: 'Send' }).click();
    const sla = ana.locator('section.sla');
    await sla.getByText('Paused while the ticket waits on the customer.').waitFor({ timeout: 15_000 });
    await expect.poll(() => sla.locator('[data-target=firstResponse]').getAttribute('data-state'), { timeout: 15_000 }).toBe('met');
    expect(await sla.locator('[data-target=firstResponse]').textContent()).toMatch(/^Met /);
    expect(await sla.locator('[data-target=resolution]').textContent()).toMatch(/of business time left$/);
  });

  it('saves the resolved ticket as a solution: a draft to edit and publish, listed in the knowledge base and public once published', async () => {
    expect(await ana.getByRole('button', { name: 'Save as solution' }).count()).toBe(0);
    await ana.locator('form.controls').getByLabel('Status').selectOption('resolved');
    await ana.getByRole('button', { name: 'Save changes' }).click();
    await ana.getByRole('button', { name: 'Save as solution' }).click();
    await ana.getByRole('heading', { name: 'Edit article' }).waitFor();
    const id = /#\/kb\/(kb_[0-9a-f]{16})$/.exec(ana.url())?.[1];
    expect(id).toBeTruthy();
    const editor = ana.locator('form.kb-editor');
    expect(await editor.getByLabel('Problem (also the title)').inputValue()).toBe('My VPN drops every hour since this morning.');
    expect(await editor.getByLabel('Solution').inputValue()).toBe('Please update the VPN client to version 5.2 and restart.');
    expect(await editor.locator('[data-state]').textContent()).toBe('Draft');
    expect((await fetch(`${base}/kb/${id}`)).status).toBe(404); // a draft is not public

    await editor.getByLabel('Tags (separate with commas)').fill('vpn, client');
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await ana.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await editor.getByRole('button', { name: 'Publish' }).click();
    await ana.getByRole('status').filter({ hasText: 'Published.' }).waitFor();
    expect(await ana.locator('form.kb-editor [data-state]').textContent()).toBe('Published');
    await ana.getByRole('link', { name: 'Public page' }).waitFor();

    const page = await fetch(`${base}/kb/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Please update the VPN client to version 5.2 and restart.');
    expect(await (await env.api(`/api/v1/kb/articles/${id}`)).json()).toMatchObject({ status: 'published', tags: ['vpn', 'client'], sourceTicketNumber: ticketNumber });

    // The knowledge base view lists it, and finds it by its words.
    await ana.getByRole('link', { name: 'All articles' }).click();
    await ana.getByRole('heading', { name: 'Knowledge base' }).waitFor();
    await ana.locator(`tr[data-article="${id}"]`).getByText('Published').waitFor();
    await ana.getByLabel('Words to search').fill('restart the client');
    await ana.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => ana.locator('tr[data-article]').first().getAttribute('data-article')).toBe(id);
    expect(session.pageErrors).toEqual([]);
  });
});
