/**
 * The chat channel's config slice (`channels.chat` in config/schema.ts, which must stay assignable
 * to this) and the factory the registry calls with it.
 */
import type { ChannelDeps } from '../../src/core/index.ts';
import { ChatChannel } from './chat.adapter.ts';
import type { ChatSite } from './chat-sites.ts';
import type { RateSetting } from './rate-limits.ts';

export interface ChatChannelConfig {
  sites: readonly ChatSite[];
  /** socket.io's maxHttpBufferSize; the gateway reads it when it creates the server. */
  maxHttpBufferSize: number;
  maxTextLength: number;
  socketRate: RateSetting;
  visitorRate: RateSetting;
  /** Site key the /chat/demo page uses (the gateway's own origin only); unset: no demo page. */
  demoSiteKey?: string | undefined;
}

export function createChatChannel(config: ChatChannelConfig, deps: ChannelDeps): ChatChannel {
  if (!deps.live) throw new Error('the chat channel needs the live channel deps (ChannelDeps.live)');
  const { metrics } = deps;
  return new ChatChannel(config, {
    live: deps.live, logger: deps.logger.child({ channel: 'chat' }),
    ...(metrics ? { connected: (role: 'visitor' | 'agent', delta: number) => metrics.liveConnections('chat', role, delta) } : {}),
  });
}
