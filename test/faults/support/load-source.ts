/**
 * Load for the fault suite, one "load source" per way a message can enter the gateway. A source
 * offers one item and says what the sender was told: accepted (the channel confirmed it: LMTP 250,
 * pipe exit 0, HTTP 201, a chat ack), retry (told to try later, or the connection broke: a real
 * sender keeps it and tries again) or rejected (refused for good: always a failure here).
 * Chat and web form load are further sources (chat-source.ts, form-source.ts); the ledger and the
 * checks stay the same.
 */
import nodemailer from 'nodemailer';
import type { DovecotServer } from '../../support/dovecot.ts';
import { runCli } from '../../support/gateway-process.ts';
import { buildMail } from '../../support/mail-builder.ts';

export interface LoadItem {
  /** Sequence number within the run; also makes the sender and the subject unique. */
  seq: number;
  /** The sender's idempotency key (for mail the Message-ID, a chat clientId, a form's Idempotency-Key). */
  key: string;
}

/**
 * What the sender was told. An accepted offer may name the `externalId` the gateway stores the
 * message under when it is not the key itself (chat: `<visitorId>:<clientId>`, form: `submit:<key>`).
 */
export type Offer = { status: 'accepted'; externalId?: string } | { status: 'retry' | 'rejected'; detail: string };

export interface LoadSource {
  /** e.g. `email/lmtp`; shown in failures. */
  readonly name: string;
  /** The channel the message is stored under. */
  readonly channel: string;
  /** Builds the item for a sequence number (its key is what the checks look up). */
  item(seq: number): LoadItem;
  offer(item: LoadItem): Promise<Offer>;
  /** Lets go of what the source holds open (sockets). */
  close?(): void;
}

/** One mail per item: distinct sender, so per-sender acknowledgement limits never decide a count. */
function mailFor(run: string, item: LoadItem): Promise<Buffer> {
  return buildMail({
    messageId: `<${item.key}>`, from: `customer${item.seq}@example.org`,
    subject: `Fault ${run} ${item.seq}`, text: `Message ${item.seq} of the ${run} fault run.`,
  });
}

const mailItem = (run: string) => (seq: number): LoadItem => ({ seq, key: `${run}-${seq}@faults.example.org` });

/** Mail delivered into the Dovecot mailbox the gateway consumes by IMAP; Dovecot is not faulted. */
export function dovecotMailSource(run: string, dovecot: DovecotServer, user: string): LoadSource {
  return {
    name: 'email/imap', channel: 'email', item: mailItem(`${run}-imap`),
    async offer(item) {
      const raw = await mailFor(run, item);
      try {
        await dovecot.deliver({ user, raw, envelopeFrom: `customer${item.seq}@example.org` });
        return { status: 'accepted' };
      } catch (err) {
        return { status: 'retry', detail: (err as Error).message };
      }
    },
  };
}

/** Mail pushed into the gateway's own LMTP listener, as Postfix's lmtp transport would. */
export function lmtpMailSource(run: string, port: () => number, name = 'email/lmtp'): LoadSource {
  return {
    name, channel: 'email', item: mailItem(`${run}-${name.replace(/\W/g, '')}`),
    async offer(item) {
      const raw = await mailFor(run, item);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1', port: port(), lmtp: true, ignoreTLS: true,
        connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 60_000,
      });
      try {
        const info = await transport.sendMail({ envelope: { from: `customer${item.seq}@example.org`, to: ['support@helpdesk.test'] }, raw });
        if (info.accepted.length === 1) return { status: 'accepted' };
        return { status: 'retry', detail: String(info.response) };
      } catch (err) {
        const e = err as Error & { responseCode?: number };
        // A 5xx is a refusal; anything else (4xx, refused or broken connection) is what an MTA retries.
        return { status: e.responseCode && e.responseCode >= 500 ? 'rejected' : 'retry', detail: `${e.responseCode ?? ''} ${e.message}`.trim() };
      } finally {
        transport.close();
      }
    },
  };
}

/** `helpdesk pipe`, as an MTA's pipe transport runs it: exit 0 stored, 75 try later. */
export function pipeMailSource(run: string, env: () => Record<string, string>): LoadSource {
  return {
    name: 'email/pipe', channel: 'email', item: mailItem(`${run}-pipe`),
    async offer(item) {
      const { code, stderr } = await runCli(['pipe'], env(), await mailFor(run, item));
      if (code === 0) return { status: 'accepted' };
      return { status: code === 75 ? 'retry' : 'rejected', detail: `exit ${code}: ${stderr.slice(-300)}` };
    },
  };
}
