/** The core's public surface: channels and infra import from here only. */
export * from './types.ts';
export * from './ports.ts';
export * from './errors.ts';
export type { Logger } from './logger.ts';
export { armCrashPoints, crashPoint } from './crash-points.ts';
export { signAgentToken, verifyAgentToken, signReplyToken, verifyReplyToken, signVerpToken, verifyVerpToken, tokensInAddresses, type TokenKeys } from './reply-token.ts';
export { ThreadResolver, tokenInOwnMessageId, type ThreadDecision } from './thread-resolver.ts';
export { Acknowledger } from './acknowledger.ts';
export { capReferences, composeCustomerMail, ownMessageId, replyAddress, type CustomerMailSettings } from './customer-mail.ts';
export { LoopGuard, AUTOMAIL_STOPPED, type LoopGuardSettings } from './loop-guard.ts';
export { BounceHandler } from './bounce.handler.ts';
export { AgentReplyHandler, type AgentMailVerdict } from './agent-reply.handler.ts';
export { dkimAligned, senderAuthenticated, senderForged } from './sender-authentication.ts';
export { IngestService, isTransient, type IngestSettings } from './ingest.service.ts';
export { OutboxDispatcher, backoffDelay, type DispatcherSettings } from './outbox-dispatcher.ts';
export { noMetrics, type Metrics } from './metrics.ts';
export { meteredSink } from './metered-sink.ts';
