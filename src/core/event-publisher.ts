/**
 * The in-process EventPublisher: live listeners in this process (socket.io namespaces, the agent
 * console) subscribe; a listener that throws is logged and never breaks the action that published.
 * Several gateway processes need a shared bus later (e.g. Redis); this port stays the same.
 */
import type { Logger } from './logger.ts';
import type { EventPublisher, TicketEvent } from './ports.ts';

export type TicketEventListener = (event: TicketEvent) => void;

export class InProcessEventPublisher implements EventPublisher {
  private readonly listeners = new Set<TicketEventListener>();

  constructor(private readonly logger: Logger) {}

  subscribe(listener: TicketEventListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  publish(event: TicketEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err, type: event.type }, 'ticket event listener failed');
      }
    }
  }
}
