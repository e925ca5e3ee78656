/**
 * The thread decision for every mail fixture, through the real ingest on the test server. The
 * scenario (which tickets exist, who their requesters are) and each fixture's expected outcome live
 * in test/fixtures/mail/threading.json: together with expectations.json (classification, visible
 * text) it specifies what the gateway does with each real-client mail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../src/core/index.ts';
import { MongoTicketRepository } from '../../src/infra/mongo/ticket.repository.ts';
import { openTestCore } from '../support/core.ts';

const DIR = fileURLToPath(new URL('../fixtures/mail/', import.meta.url));
interface Expected { outcome: IngestResult['outcome']; ticket?: number | 'new'; rule?: string; flagged?: boolean }
const spec = JSON.parse(readFileSync(`${DIR}threading.json`, 'utf8')) as {
  tickets: Record<string, string>;
  fixtures: Record<string, Expected>;
};
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort();

describe('thread decision of every fixture', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  let core: typeof env.core;

  beforeAll(async () => {
    env = await openTestCore('fixture_threading');
    core = env.core;
    // The scenario: tickets that the fixtures' tokens and tags name, each with its requester.
    for (const [number, requester] of Object.entries(spec.tickets).sort(([a], [b]) => Number(a) - Number(b))) {
      // The stored number hint, read by a process's first allocation (a repository of its own here).
      await core.models.Counter.updateOne({ _id: 'ticket' }, { $set: { seq: Number(number) - 1 } }, { upsert: true });
      const contact = await core.repos.contacts.findOrCreateByEmail({ address: requester });
      const ticket = await new MongoTicketRepository(core.models).createOnce({
        originKey: `seed:${number}`, subject: `Seeded ticket ${number}`, channel: 'email', requesterId: contact.id,
        participantIds: [contact.id], locale: 'en', at: new Date(), flags: [],
      });
      expect(ticket.number).toBe(Number(number));
    }
    await core.models.Counter.updateOne({ _id: 'ticket' }, { $set: { seq: 1000 } });
  });
  afterAll(() => env.drop());

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(Object.keys(spec.fixtures).sort()).toEqual(fixtures);
  });

  it.each(fixtures)('%s', async (name) => {
    const expected = spec.fixtures[name]!;
    const result = await env.intake(readFileSync(DIR + name), `fixture:${name}`);
    expect(result.outcome, result.reason).toBe(expected.outcome);
    if (expected.ticket === 'new') expect(result.ticketNumber).toBeGreaterThan(1000);
    else if (expected.ticket !== undefined) expect(result.ticketNumber).toBe(expected.ticket);
    if (expected.rule === undefined) return;
    const stored = await core.models.Message.findOne({ ticketNumber: result.ticketNumber, rawBlobId: { $exists: true } })
      .sort({ createdAt: -1 }).lean();
    expect(stored?.decisions?.find((d) => d.step === 'thread')?.rule).toBe(expected.rule);
    expect(Boolean(stored?.flagged)).toBe(Boolean(expected.flagged));
  });
});
