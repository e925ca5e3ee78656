/** Which SMTP failures the email channel reports as final, and which it leaves for a retry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelRegistry, type Channels } from '../../channels/index.ts';
import { DeliveryError, type MailOutbound } from '../../src/core/index.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const mail = (to: string[]): MailOutbound => ({
  id: 'o1', kind: 'ack', channel: 'email', ticketId: 't1', ticketNumber: 1, text: 'We got it.', html: '<p>We got it.</p>',
  to: to.map((address) => ({ address })), from: { address: 'support@helpdesk.test' }, subject: 'Received',
  messageId: 'o1@helpdesk.test', references: [], headers: [],
});

describe('email channel delivery results', () => {
  let sink: SmtpSink;
  let channel: Channels['email'];

  beforeAll(async () => {
    sink = await startSmtpSink({ rejectRecipients: (a) => a.startsWith('gone@') });
    const config = testConfig({ channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } } });
    channel = (await channelRegistry.email())(config.channels.email, {
      blobs: undefined as never, checkpoints: undefined as never, logger: createLogger('silent'),
      supportAddress: config.supportAddress, ownAddresses: [], keys: { keys: [] }, tickets: undefined as never, web: { publicUrl: config.publicUrl },
    });
  });
  afterAll(async () => {
    await channel.stop();
    await sink.stop();
  });

  const failure = (to: string[]) => channel.deliver(mail(to)).then(() => null, (err: unknown) => err as DeliveryError);

  it('delivers and reports the accepted recipients', async () => {
    expect(await channel.deliver(mail(['alice@example.org']))).toMatchObject({ status: 'delivered', receipt: { accepted: ['alice@example.org'] } });
  });

  it('fails for good on a 550 for every recipient', async () => {
    expect(await failure(['gone@example.org'])).toMatchObject({ permanent: true });
  });

  it('fails for good on an envelope no server could accept (EENVELOPE, no recipient)', async () => {
    const err = await failure([]);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: true });
    expect((err!.cause as { code?: string }).code).toBe('EENVELOPE');
  });

  it('leaves a 451 at DATA for a retry', async () => {
    sink.setFailNext(1);
    const err = await failure(['bob@example.org']);
    expect(err).toMatchObject({ permanent: false });
    expect((err!.cause as { responseCode?: number }).responseCode).toBe(451);
  });
});
