/**
 * A new chat ticket gets its suggested articles as one system line of the conversation (the chat
 * has no acknowledgement mail to carry them). It goes through the outbox like every line we send,
 * with an id derived from the ticket (a replay queues nothing twice), due a moment after the
 * visitor's own line: the chat channel numbers that line only after the ingest returned, and a
 * line for a conversation not yet recorded would have nowhere to go.
 */
import type { OutboxRepository, TemplateRenderer } from '../ports.ts';
import type { InboundMessage, Ticket } from '../types.ts';
import type { KnowledgeBase } from './knowledge-base.service.ts';

export interface ChatSuggestionDeps {
  kb: KnowledgeBase;
  outbox: OutboxRepository;
  renderer: TemplateRenderer;
  /** How long after the ticket opened the line is due. */
  delayMs: number;
  onQueued?: () => void;
}

export class ChatSuggestions {
  constructor(private readonly deps: ChatSuggestionDeps) {}

  async offer(ticket: Ticket, message: InboundMessage, at: Date): Promise<number> {
    if (message.channel !== 'chat' || message.classification !== 'human') return 0;
    const offered = await this.deps.kb.suggestFor(ticket, message.visibleText || message.text, at);
    if (!offered.length) return 0;
    const rendered = await this.deps.renderer.render('kb-chat', ticket.locale, {
      articles: offered.map((o) => ({ problem: o.article.problem, url: o.url })),
    });
    await this.deps.outbox.enqueue({
      id: `kb:${ticket.id}`, kind: 'kb-suggestions', channel: 'chat', ticketId: ticket.id, ticketNumber: ticket.number,
      contactId: ticket.requesterId, text: rendered.text.trim(),
    }, new Date(at.getTime() + this.deps.delayMs));
    this.deps.onQueued?.();
    return offered.length;
  }
}
