/**
 * Round trips per web form submit, counted with the driver's command monitoring on a real gateway
 * (HTTP in front): everything a submit causes until its ticket and acknowledgement are stored,
 * including the SLA clock it sets off after the answer. The background passes (outbox sender,
 * agent notifications) are stopped, as in intake-db-commands.test.ts: they are not the submit's.
 * The form adds nothing to the shared intake: a submit costs no more than the same message by
 * mail (which also stores the raw mail), and a client's retry of an accepted one costs little.
 */
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail-builder.ts';
import { startWebformGateway, type WebformGateway } from '../support/webform-gateway.ts';

/** The email intake's ceiling for a new mail (intake-db-commands.test.ts); the form stores no raw mail, so it needs no more. */
const NEW_MESSAGE_BUDGET = 12;
/**
 * A retry of a submission this process noted as accepted: reading its stored message. (One it did
 * not note, e.g. after a restart without Redis, goes through the intake: contact 2, the message
 * insert that finds it stored, reading its ticket number.)
 */
const RETRY_BUDGET = 1;
// Commands that are the driver's own housekeeping, not the submit's.
const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'getMore', 'killCursors']);

function label(event: CommandStartedEvent): string {
  const target = event.command[event.commandName];
  return typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
}

describe('database commands per web form submit', () => {
  let w: WebformGateway;
  let counting: string[] | null = null;

  beforeAll(async () => {
    w = await startWebformGateway('webform_cmds', {}, {}, undefined, { monitorCommands: true });
    await w.gateway.dispatcher.stop();
    await w.gateway.fanout.stop();
    w.gateway.conn.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (counting && !HOUSEKEEPING.has(event.commandName)) counting.push(label(event));
    });
    // Warm what is cached per process (intake rules, knowledge base articles).
    expect((await w.submitJson(fields('warm@customers.example.org', 'Warm up'))).status).toBe(201);
    await w.gateway.sla.tracker.idle();
  });

  afterAll(async () => {
    await w?.stop();
  });

  function fields(email: string, subject: string): Record<string, unknown> {
    return { name: 'Sari', email, subject, message: 'My order has not arrived yet. Could you check it, please?', formToken: w.formToken() };
  }

  /** Runs `work` and returns the commands it caused, once the SLA work it set off is done too. */
  async function commandsOf<T>(work: () => Promise<T>) {
    counting = [];
    const value = await work();
    await w.gateway.sla.tracker.idle();
    const seen = counting;
    counting = null;
    const breakdown: Record<string, number> = {};
    for (const c of seen) breakdown[c] = (breakdown[c] ?? 0) + 1;
    return { value, total: seen.length, breakdown };
  }

  async function submit(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await w.submitJson(body, headers);
    return { status: res.status, body: await res.json() as { ticketNumber?: number } };
  }

  it(`a submit costs at most ${NEW_MESSAGE_BUDGET} commands, and no more than the same message by mail`, async () => {
    const byForm = await commandsOf(() => submit(fields('rini@customers.example.org', 'Order 1')));
    console.log(`web form submit, first-time customer: ${byForm.total} commands`, byForm.breakdown);
    expect(byForm.value.status).toBe(201);
    expect(await w.gateway.repos.tickets.byNumber(byForm.value.body.ticketNumber!)).toMatchObject({ channel: 'webform' });

    const byMail = await commandsOf(async () => w.gateway.channels.email.intake(
      await buildMail({ messageId: '<order-1@customers.example.org>', from: 'Tono <tono@customers.example.org>', subject: 'Order 1', text: 'My order has not arrived yet.' }),
      'test', w.gateway.ingest,
    ));
    console.log(`the same by mail: ${byMail.total} commands`, byMail.breakdown);
    expect(byMail.value).toMatchObject({ outcome: 'created' });

    expect(byForm.total).toBeLessThanOrEqual(NEW_MESSAGE_BUDGET);
    expect(byForm.total).toBeLessThanOrEqual(byMail.total);
  });

  it(`a retry with the same Idempotency-Key answers the same in at most ${RETRY_BUDGET} commands`, async () => {
    const body = fields('rini@customers.example.org', 'Order 2');
    const first = await submit(body, { 'idempotency-key': 'order-2-key-0001' });
    await w.gateway.sla.tracker.idle();
    const retry = await commandsOf(() => submit(body, { 'idempotency-key': 'order-2-key-0001' }));
    console.log(`retry: ${retry.total} commands`, retry.breakdown);
    expect(first.status).toBe(201);
    expect(retry.value).toEqual(first);
    expect(retry.total).toBeLessThanOrEqual(RETRY_BUDGET);
  });
});
