/**
 * What the customer wrote by mail on a chat ticket (answering a digest or a transcript) becomes a
 * line of the chat, so back in the widget the visitor sees the whole conversation. Live when the
 * mail arrives (a ticket event), and again whenever the visitor connects: the line's key is the
 * stored message, so a repeat appends nothing, and a missed event is made good on the next visit.
 */
import type { ChatFollowUpPort, ChatLogRepository, EventSource, Logger } from '../../../src/core/index.ts';
import type { ChatHub } from '../chat.hub.ts';

export class MailLines {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly hub: ChatHub,
    private readonly log: ChatLogRepository,
    private readonly followUps: ChatFollowUpPort,
    private readonly events: EventSource,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe ??= this.events.subscribe((event) => {
      if (event.data.channel !== 'email' || event.data.role !== 'customer') return;
      void this.log.conversationOf(event.ticketNumber)
        .then((visitorId) => (visitorId ? this.sync(visitorId) : undefined))
        .catch((err: unknown) => this.logger.warn({ err, ticket: event.ticketNumber }, 'chat: mail line not added (the next visit adds it)'));
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Appends every mail of the visitor's conversation not yet in its chat (idempotent by message id). */
  async sync(visitorId: string): Promise<void> {
    const found = await this.followUps.mailLines(visitorId);
    if (!found) return;
    for (const line of found.lines) {
      await this.hub.append(visitorId, { key: `mail:${line.id}`, author: 'visitor', text: line.text, at: line.at, ticketNumber: found.ticketNumber });
    }
  }
}
