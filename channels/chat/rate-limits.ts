/**
 * Rate limits for chat events: per socket (every event) and per visitor (messages, all their tabs
 * and processes together). With Redis the counters are shared by every gateway process.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateSetting {
  points: number;
  seconds: number;
}

/**
 * Transcripts one visitor may ask for per hour: each mails an address the visitor merely typed, so
 * a visitor must not turn the gateway into a mail cannon aimed at someone else.
 */
const TRANSCRIPTS = { points: 3, seconds: 3600 };

export class ChatRateLimits {
  private readonly socket: RateLimiterAbstract;
  private readonly visitor: RateLimiterAbstract;
  private readonly transcripts: RateLimiterAbstract;

  constructor(settings: { socketRate: RateSetting; visitorRate: RateSetting }, redis?: Redis, redisPrefix = 'helpdesk') {
    const make = (prefix: string, s: RateSetting) => (redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${redisPrefix}:${prefix}`, points: s.points, duration: s.seconds })
      : new RateLimiterMemory({ keyPrefix: prefix, points: s.points, duration: s.seconds }));
    this.socket = make('chat-socket', settings.socketRate);
    this.visitor = make('chat-visitor', settings.visitorRate);
    this.transcripts = make('chat-transcript', TRANSCRIPTS);
  }

  /** One event from this socket; false when over the limit. */
  socketEvent(socketId: string): Promise<boolean> {
    return this.take(this.socket, socketId);
  }

  /** One message from this visitor; false when over the limit. */
  visitorMessage(visitorId: string): Promise<boolean> {
    return this.take(this.visitor, visitorId);
  }

  /** Gives back a message that turned out to be a resend: it stored nothing new. */
  async refundVisitorMessage(visitorId: string): Promise<void> {
    await this.visitor.reward(visitorId, 1).catch(() => {});
  }

  /** One transcript for this visitor; false when over the limit. */
  transcript(visitorId: string): Promise<boolean> {
    return this.take(this.transcripts, visitorId);
  }

  private async take(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
    try {
      await limiter.consume(key);
      return true;
    } catch (rejection) {
      // rate-limiter-flexible rejects with its result when over the limit, with an Error when the store fails.
      if (rejection instanceof Error) throw rejection;
      return false;
    }
  }
}
