/** Mail that came from us (our address, our signed Message-ID, our X-Loop) must never become a ticket. */
import type { InboundMessage } from '../types.ts';
import { verifyAgentToken, verifyReplyToken, type TokenKeys } from './reply-token.ts';
import { tokenInOwnMessageId } from '../thread-resolver.ts';

export interface OwnMailSettings {
  ownAddresses: string[];
  messageIdDomain: string;
  keys: TokenKeys;
}

/** Why the message is ours, or null when it is not. */
export function ownMailReason(message: InboundMessage, settings: OwnMailSettings): string | null {
  const own = settings.ownAddresses.map((a) => a.toLowerCase());
  const sender = message.from.address?.toLowerCase();
  if (sender && own.includes(sender)) return `sender ${sender} is one of our own addresses`;
  // Only a Message-ID we generated (it carries our signed token) counts: agents' own mail
  // clients may well use our domain for theirs.
  const token = message.messageId ? tokenInOwnMessageId(message.messageId, settings.messageIdDomain) : null;
  if (token && (verifyReplyToken(settings.keys, token) !== null || verifyAgentToken(settings.keys, token, undefined))) {
    return `Message-ID ${message.messageId} is one of ours`;
  }
  const marker = message.loopMarkers?.find((m) => own.some((a) => m.toLowerCase().includes(a)));
  return marker ? `X-Loop: ${marker}` : null;
}
