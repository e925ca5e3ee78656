/**
 * Agent accounts and sign-in against the real gateway and database: the first admin from the
 * `helpdesk agent create` command, password login with an HttpOnly SameSite session cookie, CSRF
 * on cookie requests that change something, login throttling, personal API tokens (revocable),
 * role checks, and customer credentials (a status link's or a reply's signed token) that never
 * open the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisitorTokens } from '../../channels/chat/visitor-token.ts';
import { signAgentToken, signLinkToken, signReplyToken } from '../../src/core/index.ts';
import { createGateway, tokenKeys, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, sessionClient } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { runCli } from '../support/gateway-process.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('agent accounts and sign-in', () => {
  let gateway: Gateway;
  let base: string;
  const dbName = testDbName('agentauth');
  const env = {
    MONGODB_URI: '', HELPDESK_DB_NAME: dbName, SUPPORT_ADDRESS: 'support@helpdesk.test',
    HELPDESK_SECRET: 'test-secret-0123456789abcdef', ADMIN_TOKEN: 'test-admin-token-0123456789',
  };
  let adminPassword = '';
  let adminToken = '';
  const admin = () => bearerClient(base, adminToken);
  const root = () => bearerClient(base, env.ADMIN_TOKEN);

  beforeAll(async () => {
    env.MONGODB_URI = mongoUri();
    gateway = await createGateway(testConfig({ database: { dbName }, auth: { loginMaxFailures: 3 } }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    await gateway.channels.email.intake(await buildMail({ messageId: '<auth-1@example.org>', from: 'dina@example.org', subject: 'Printer jam' }), 'test', gateway.ingest);
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('creates the first agent from the command line as an admin, with a generated password and an API token', async () => {
    const out = await runCli(['agent', 'create', '--email', 'Ana@Example.org', '--name', 'Ana', '--tier', 'L2', '--token', 'automation'], env);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^created admin ana@example\.org \(ag_[a-z0-9]+, tier L2\)$/m);
    adminPassword = /^password: (\S+)$/m.exec(out.stdout)![1]!;
    adminToken = /^api token: (hdp_\S+)$/m.exec(out.stdout)![1]!;
    expect(adminPassword.length).toBeGreaterThanOrEqual(16);
    // Nothing secret is stored as it was given.
    const stored = await gateway.agentStores.models.Agent.findOne({ email: 'ana@example.org' }).lean<{ passwordHash: string }>();
    expect(stored!.passwordHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(JSON.stringify(await gateway.agentStores.models.ApiToken.find().lean())).not.toContain(adminToken.split('.')[1]);

    const second = await runCli(['agent', 'create', '--email', 'bo@example.org', '--name', 'Bo', '--password-stdin'], env, Buffer.from('bo-password-123\n'));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^created agent bo@example\.org/m);
    expect(second.stdout).not.toContain('password:');
    const duplicate = await runCli(['agent', 'create', '--email', 'ana@example.org', '--name', 'Ana again'], env);
    expect(duplicate.code).toBe(65);
    expect(duplicate.stderr).toContain('exists');
  });

  it('signs in with a password: an HttpOnly SameSite session cookie, and the CSRF token in the answer', async () => {
    const { login, call, cookie } = await sessionClient(base, 'ana@example.org', adminPassword);
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^helpdesk_session=[\w-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect((await login.json()).agent).toMatchObject({ email: 'ana@example.org', role: 'admin', tier: 'L2' });
    // The session id is stored only as a digest.
    const sid = cookie.split('=')[1]!;
    expect(await gateway.agentStores.models.Session.findById(sid).lean()).toBeNull();
    const me = await (await call('GET', '/auth/me')).json();
    expect(me).toMatchObject({ via: 'session', role: 'admin', agent: { email: 'ana@example.org' } });
    expect((await call('GET', '/tickets')).status).toBe(200);
  });

  it('refuses a cookie request that changes something without the CSRF token, and takes it with one', async () => {
    const { call } = await sessionClient(base, 'ana@example.org', adminPassword);
    const forged = await call('PATCH', '/tickets/1', { priority: 'high' }, { 'x-csrf-token': '' });
    expect(forged.status).toBe(403);
    expect((await forged.json()).error).toBe('csrf_failed');
    const wrong = await call('PATCH', '/tickets/1', { priority: 'high' }, { 'x-csrf-token': 'A'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await (await root()('GET', '/tickets/1')).json()).priority).toBe('normal');
    const ok = await call('PATCH', '/tickets/1', { priority: 'high' });
    expect(ok.status).toBe(200);
    // The audit trail names the agent, not the shared API actor.
    const event = await gateway.models.TicketEvent.findOne({ type: 'ticket.priority-changed' }).lean();
    const ana = (await gateway.agents.byEmail('ana@example.org'))!;
    expect(event!.actor).toBe(`agent:${ana.id}`);
  });

  it('ends the session at logout: the same cookie no longer works', async () => {
    const { call } = await sessionClient(base, 'ana@example.org', adminPassword);
    expect((await call('POST', '/auth/logout')).status).toBe(204);
    expect((await call('GET', '/tickets')).status).toBe(401);
  });

  it('throttles failed logins per address: past the limit even the right password gets 429', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await sessionClient(base, 'bo@example.org', `wrong-password-${i}`);
      expect(res.login.status).toBe(401);
      expect((await res.login.json()).error).toBe('invalid_credentials');
    }
    const blocked = (await sessionClient(base, 'bo@example.org', 'bo-password-123')).login;
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).error).toBe('too_many_attempts');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected; an unknown one answers like a wrong password.
    expect((await sessionClient(base, 'ana@example.org', adminPassword)).login.status).toBe(200);
    expect((await sessionClient(base, 'nobody@example.org', 'whatever-123')).login.status).toBe(401);
  });

  it('lets an admin manage agents and an agent do ticket work but nothing of an admin', async () => {
    const created = await admin()('POST', '/agents', { email: 'cy@example.org', displayName: 'Cy', tier: 'L1', language: 'id' });
    expect(created.status).toBe(201);
    const { agent: cy, password } = await created.json();
    expect(cy).toMatchObject({ role: 'agent', tier: 'L1', language: 'id', notifications: { newTickets: true } });
    expect(password).toEqual(expect.any(String));
    expect((await admin()('POST', '/agents', { email: 'cy@example.org', displayName: 'Cy' })).status).toBe(409);

    const issued = await (await admin()('POST', `/agents/${cy.id}/tokens`, { name: 'cy laptop' })).json();
    const asCy = bearerClient(base, issued.token);
    expect((await asCy('GET', '/tickets')).status).toBe(200);
    expect((await asCy('PATCH', '/tickets/1', { status: 'open' })).status).toBe(200);
    expect((await asCy('POST', '/tickets/1/notes', { text: 'checking the printer' })).status).toBe(201);
    for (const [method, path, body] of [
      ['GET', '/agents'], ['POST', '/agents', { email: 'evil@example.org', displayName: 'Evil', role: 'admin' }],
      ['PATCH', `/agents/${cy.id}`, { role: 'admin' }], ['DELETE', `/agents/${cy.id}`], ['GET', '/suppressions'],
    ] as const) {
      const res = await asCy(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).error).toBe('forbidden');
    }
    expect((await gateway.agents.byId(cy.id))!.role).toBe('agent');
    // An agent changes their own settings, not their role.
    expect((await asCy('PATCH', '/auth/me', { notifications: { customerReplies: false } })).status).toBe(200);
    expect((await asCy('PATCH', '/auth/me', { role: 'admin' })).status).toBe(400);
    expect((await gateway.agents.byId(cy.id))!.notifications).toEqual({ newTickets: true, assignments: true, customerReplies: false });
  });

  it('stops a revoked token and every credential of a disabled agent', async () => {
    const { agent: dee } = await (await admin()('POST', '/agents', { email: 'dee@example.org', displayName: 'Dee', password: 'dee-password-123' })).json();
    const first = await (await admin()('POST', `/agents/${dee.id}/tokens`, { name: 'one' })).json();
    const second = await (await admin()('POST', `/agents/${dee.id}/tokens`, { name: 'two' })).json();
    const asDee = bearerClient(base, first.token);
    expect((await asDee('GET', '/auth/tokens')).status).toBe(200);
    expect((await asDee('DELETE', `/auth/tokens/${first.id}`)).status).toBe(204);
    const revoked = await asDee('GET', '/tickets');
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error).toBe('unauthorized');
    // A token with the right id and a wrong secret fails too.
    expect((await bearerClient(base, `${second.token.split('.')[0]}.${'x'.repeat(43)}`)('GET', '/tickets')).status).toBe(401);

    const session = await sessionClient(base, 'dee@example.org', 'dee-password-123');
    expect((await session.call('GET', '/tickets')).status).toBe(200);
    expect((await admin()('DELETE', `/agents/${dee.id}`)).status).toBe(204);
    expect((await bearerClient(base, second.token)('GET', '/tickets')).status).toBe(401);
    expect((await session.call('GET', '/tickets')).status).toBe(401);
    expect((await sessionClient(base, 'dee@example.org', 'dee-password-123')).login.status).toBe(401);
  });

  it('never lets a customer credential reach the API: a form status link, a chat visitor token, a reply token, garbage', async () => {
    const keys = tokenKeys(gateway.config);
    const ticket = (await gateway.repos.tickets.byNumber(1))!;
    const statusLink = signLinkToken(keys, 'status', ticket.id, new Date(Date.now() + 3_600_000));
    const visitor = new VisitorTokens(gateway.config.secret).sign({ visitorId: 'v_customer', siteKey: 'main', email: 'dina@example.org' });
    const customerTokens = [statusLink, visitor, signReplyToken(keys, 1), signAgentToken(keys, 1, 'ana@example.org')];
    for (const token of [...customerTokens, 'hdp_', 'hdp_aaaaaaaaaaaaaaaa.bbbb', 'x'.repeat(5000)]) {
      const res = await bearerClient(base, token)('GET', '/tickets');
      expect(res.status, token.slice(0, 20)).toBe(401);
    }
    for (const token of customerTokens) {
      // Not as a session cookie either, nor as a query parameter.
      expect((await fetch(`${base}/api/v1/tickets/1`, { headers: { cookie: `helpdesk_session=${token}` } })).status).toBe(401);
      expect((await fetch(`${base}/api/v1/tickets/1?token=${encodeURIComponent(token)}`)).status).toBe(401);
    }
    // Without credentials every agent route is closed; the login and the OpenAPI document are open.
    expect((await fetch(`${base}/api/v1/tickets/1`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/openapi.json`)).status).toBe(200);
  });
});
