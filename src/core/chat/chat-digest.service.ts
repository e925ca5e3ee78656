/**
 * The gone visitor's digest. When an agent's chat line finds the visitor not connected, one digest
 * is scheduled for the ticket, due after a delay; lines missed meanwhile join it. When it is due,
 * every missed line not mailed before goes out in ONE mail (not one per line) through the outbox,
 * with the ticket's reply token, so the customer's answer by mail threads into the same ticket.
 *
 * Durable and restart-safe: the digest is a stored record with a due time (never only a timer), its
 * id derives from the first missed line (a replayed miss schedules nothing new), and the mail's
 * outbox id is the digest's id (two processes running the same due digest queue one mail).
 */
import { composeCustomerMail, type CustomerMailSettings } from '../mail/customer-mail.ts';
import { PollingPass } from '../polling-pass.ts';
import type { Logger } from '../logger.ts';
import type { ChatDigest, Clock, Repositories, TemplateRenderer } from '../ports.ts';
import type { ChatOutbound, OutboxEntry } from '../types.ts';
import { admitRecipient, followUpAddress } from './follow-up-address.ts';

export interface ChatDigestSettings {
  /** How long after the first missed line the digest goes out (lines missed meanwhile join it). */
  delayMs: number;
  /** How often due digests are looked for. */
  pollIntervalMs: number;
}

export interface ChatDigestDeps {
  repos: Pick<Repositories, 'tickets' | 'contacts' | 'outbox' | 'chatFollowUps'>;
  renderer: TemplateRenderer;
  mail: CustomerMailSettings;
  clock: Clock;
  logger: Logger;
  settings: ChatDigestSettings;
  /** Called after a digest mail was queued (the composition root kicks the outbox). */
  onQueued?: () => void;
}

const DUE_PER_PASS = 50;

/** Lines a gone visitor gets by mail: agents' replies, status updates and answers to progress enquiries (signed by the support name). */
const DIGESTED_KINDS: ReadonlySet<string> = new Set(['agent-reply', 'status', 'enquiry']);

const missedLine = (e: OutboxEntry): e is ChatOutbound & OutboxEntry =>
  e.channel === 'chat' && DIGESTED_KINDS.has(e.kind) && e.status === 'undelivered';

export class ChatDigests {
  private readonly poller: PollingPass;

  constructor(private readonly deps: ChatDigestDeps) {
    this.poller = new PollingPass(() => this.runDue(), deps.settings.pollIntervalMs, deps.logger, 'chat digest');
  }

  /**
   * An agent's line did not reach the visitor: schedule the ticket's digest unless one is pending
   * (the line joins it) or the visitor left no address (nothing to mail; the line waits in the chat).
   */
  async missed(entry: ChatOutbound): Promise<void> {
    if (!DIGESTED_KINDS.has(entry.kind)) return;
    const { repos, clock, settings } = this.deps;
    if (await repos.chatFollowUps.pendingDigest(entry.ticketId)) return;
    const [contact] = await repos.contacts.byIds([entry.contactId]);
    if (!(await followUpAddress(repos, contact))) return;
    const now = clock.now();
    const scheduled = await repos.chatFollowUps.scheduleDigest({
      id: `digest:${entry.id}`, ticketId: entry.ticketId, dueAt: new Date(now.getTime() + settings.delayMs), createdAt: now,
    });
    if (scheduled) this.deps.logger.info({ ticket: entry.ticketNumber, dueInMs: settings.delayMs }, 'chat digest scheduled');
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Sends every due digest; returns how many mails were queued. */
  async runDue(): Promise<number> {
    const due = await this.deps.repos.chatFollowUps.dueDigests(this.deps.clock.now(), DUE_PER_PASS);
    let queued = 0;
    for (const digest of due) {
      if (await this.send(digest)) queued++;
    }
    if (queued) this.deps.onQueued?.();
    return queued;
  }

  private async send(digest: ChatDigest): Promise<boolean> {
    const { repos, renderer, clock } = this.deps;
    const now = clock.now();
    const ticket = await repos.tickets.byId(digest.ticketId);
    // Lines an earlier digest mailed are not mailed again.
    const mailed = new Set((await repos.chatFollowUps.digestsOf(digest.ticketId)).filter((d) => d.id !== digest.id).flatMap((d) => d.lineIds));
    const entries = await repos.outbox.listByTicket(digest.ticketId);
    // The dispatcher tells us of a miss before it records the line as undelivered (so a crash
    // between the two leaves the line claimable): until that record lands, the digest waits for
    // the next pass instead of finding no missed line and closing empty.
    const trigger = entries.find((e) => `digest:${e.id}` === digest.id);
    if (trigger && (trigger.status === 'pending' || trigger.status === 'sending')) return false;
    const lines = entries.filter(missedLine).filter((e) => !mailed.has(e.id));
    const [requester] = ticket ? await repos.contacts.byIds([ticket.requesterId]) : [];
    const to = await followUpAddress(repos, requester);
    if (!ticket || !to || !lines.length) {
      await repos.chatFollowUps.markDigestDone(digest.id, [], now);
      return false;
    }
    await admitRecipient(repos, ticket, to, now);
    const rendered = await renderer.render('chat-digest', ticket.locale, {
      ticketNumber: ticket.number, subject: ticket.subject, count: lines.length,
      lines: lines.map((l) => ({ agentName: l.authorName ?? this.deps.mail.supportName, text: l.text })),
    });
    const mail = composeCustomerMail(this.deps.mail, {
      id: digest.id, kind: 'chat-digest', ticket, to: [{ address: to, ...(requester?.name ? { name: requester.name } : {}) }],
      rendered, references: [], automatic: false,
    });
    await repos.outbox.enqueue(mail, now);
    await repos.chatFollowUps.markDigestDone(digest.id, lines.map((l) => l.id), now);
    this.deps.logger.info({ ticket: ticket.number, lines: lines.length, outbox: mail.id }, 'chat digest queued');
    return true;
  }
}
