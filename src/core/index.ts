/** The core's public surface: channels and infra import from here only. */
export * from './types.ts';
export * from './ports.ts';
export * from './errors.ts';
export type { Logger } from './logger.ts';
export { armCrashPoints, crashPoint } from './crash-points.ts';
export { signReplyToken, verifyReplyToken, tokensInAddresses, type TokenKeys } from './reply-token.ts';
export { ThreadResolver, tokenInOwnMessageId, type ThreadDecision } from './thread-resolver.ts';
export { Acknowledger, capReferences, ownMessageId, replyAddress, type AckSettings } from './acknowledger.ts';
export { IngestService, type IngestSettings } from './ingest.service.ts';
export { OutboxDispatcher, backoffDelay, type DispatcherSettings } from './outbox-dispatcher.ts';
