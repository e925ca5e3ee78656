/**
 * The offline side of the chat channel on the /chat namespace, beside the visitor namespace's own
 * handlers: each visitor socket gets the offline events, and its conversation gets the customer's
 * mail answers as lines (on connect, and live as they arrive).
 */
import type { ChatFollowUpPort, EventSource, Logger } from '../../../src/core/index.ts';
import type { ChatHub, VisitorSocket } from '../chat.hub.ts';
import type { ChatRateLimits } from '../rate-limits.ts';
import { MailLines } from './mail-lines.ts';
import { registerOfflineEvents } from './offline.events.ts';

export interface OfflineMountDeps {
  hub: ChatHub;
  followUps: ChatFollowUpPort;
  events: EventSource;
  limits: ChatRateLimits;
  logger: Logger;
}

/** Mounts the offline events; the returned function stops listening for mail (channel stop). */
export function mountOffline(deps: OfflineMountDeps): () => void {
  const { hub, logger } = deps;
  const mail = new MailLines(hub, hub.log, deps.followUps, deps.events, logger);
  mail.start();
  hub.visitors.on('connection', (socket: VisitorSocket) => {
    registerOfflineEvents(socket, {
      followUps: deps.followUps, logger, allow: (s) => deps.limits.socketEvent(s.id), allowTranscript: (id) => deps.limits.transcript(id),
    });
    void mail.sync(socket.data.visitorId).catch((err: unknown) => logger.warn({ err, visitorId: socket.data.visitorId }, 'chat: mail lines not synced'));
  });
  return () => mail.stop();
}
