/**
 * The visitor's offline requests on `/chat`: `followup:email` leaves an address for follow-up mail
 * (no agent online, or the visitor may leave before the answer), `transcript:request` mails the
 * conversation so far. Who asks is the socket's authenticated visitor, never a payload field; the
 * transcript is of the visitor's own conversation.
 */
import type { ChatFollowUpPort, Logger } from '../../../src/core/index.ts';
import { ChatErrorCodes, offlinePayloads, type Failure } from '../chat.events.ts';
import type { VisitorSocket } from '../chat.hub.ts';

export interface OfflineEventDeps {
  followUps: ChatFollowUpPort;
  logger: Logger;
  /** The socket's rate limit (shared with its other events); resolves false when over it. */
  allow(socket: VisitorSocket): Promise<boolean>;
  /** The visitor's transcript limit (a few per hour); resolves false when over it. */
  allowTranscript(visitorId: string): Promise<boolean>;
}

const fail = (code: Failure['code']): Failure => ({ ok: false, code });

export function registerOfflineEvents(socket: VisitorSocket, deps: OfflineEventDeps): void {
  const guard = async <T>(event: string, ack: unknown, run: () => Promise<T | Failure>): Promise<void> => {
    if (typeof ack !== 'function') return; // both events answer through their ack only
    try {
      ack(await deps.allow(socket) ? await run() : fail(ChatErrorCodes.RATE_LIMITED));
    } catch (err) {
      deps.logger.warn({ err, event, visitorId: socket.data.visitorId }, 'chat offline request failed');
      ack(fail(ChatErrorCodes.UNAVAILABLE));
    }
  };

  socket.on('followup:email', (payload, ack) => void guard('followup:email', ack, async () => {
    const parsed = offlinePayloads['followup:email'].safeParse(payload);
    if (!parsed.success) return fail(ChatErrorCodes.INVALID_PAYLOAD);
    await deps.followUps.setAddress(socket.data.visitorId, parsed.data.email);
    return { ok: true as const };
  }));

  socket.on('transcript:request', (payload, ack) => void guard('transcript:request', ack, async () => {
    if (!offlinePayloads['transcript:request'].safeParse(payload ?? {}).success) return fail(ChatErrorCodes.INVALID_PAYLOAD);
    if (!(await deps.allowTranscript(socket.data.visitorId))) return fail(ChatErrorCodes.RATE_LIMITED);
    const result = await deps.followUps.requestTranscript(socket.data.visitorId);
    return result.ok ? { ok: true as const, email: result.address } : fail(result.code);
  }));
}
