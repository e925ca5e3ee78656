/**
 * The channel registry: one loader per channel id, resolving to the channel's factory. The
 * composition root (src/core.composition.ts) builds every channel it is asked for by iterating it,
 * handing each its slice of `config.channels` and the shared deps.
 * Loaders, not factories: a channel's module graph (express, socket.io, Redis, IMAP, SMTP...) loads
 * only when that channel is built, so a one-shot `helpdesk pipe` that builds only email does not
 * pay for the others at every start.
 * Adding a channel: a folder here, its loader below, its slice in config/schema.ts, its tests.
 */
import type { ChannelFactory } from '../src/core/index.ts';

export const channelRegistry = {
  email: async () => (await import('./email/email.config.ts')).createEmailChannel,
  chat: async () => (await import('./chat/chat.config.ts')).createChatChannel,
  webform: async () => (await import('./webform/webform.config.ts')).createWebformChannel,
} satisfies Record<string, () => Promise<ChannelFactory<never>>>;

export type ChannelRegistry = typeof channelRegistry;
export type RegisteredChannelId = keyof ChannelRegistry;
/** Every registered channel id, in registry order. */
export const CHANNEL_IDS = Object.keys(channelRegistry) as RegisteredChannelId[];
type FactoryOf<K extends RegisteredChannelId> = Awaited<ReturnType<ChannelRegistry[K]>>;
/** The config slice each factory takes: `config.channels` must be assignable to this. */
export type ChannelConfigs = { [K in RegisteredChannelId]: Parameters<FactoryOf<K>>[0] };
/** The adapter each factory returns, typed per channel. */
export type Channels = { [K in RegisteredChannelId]: ReturnType<FactoryOf<K>> };
