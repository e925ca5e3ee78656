/**
 * The channel registry: one factory per channel id. The composition root (src/gateway.ts) builds
 * every channel by iterating it, handing each its slice of `config.channels` and the shared deps.
 * Adding a channel: a folder here, its factory below, its slice in config/schema.ts, its tests.
 */
import type { Router } from 'express';
import type { Server } from 'socket.io';
import type { ChannelFactory, WebSurface } from '../src/core/index.ts';
import { createChatChannel } from './chat/chat.config.ts';
import { createEmailChannel } from './email/email.config.ts';
import { createWebformChannel } from './webform/webform.config.ts';

export const channelRegistry = {
  email: createEmailChannel,
  chat: createChatChannel,
  webform: createWebformChannel,
} satisfies Record<string, ChannelFactory<never>>;

export type ChannelRegistry = typeof channelRegistry;
export type RegisteredChannelId = keyof ChannelRegistry;
/** The config slice each factory takes: `config.channels` must be assignable to this. */
export type ChannelConfigs = { [K in RegisteredChannelId]: Parameters<ChannelRegistry[K]>[0] };
/** The adapter each factory returns, typed per channel. */
export type Channels = { [K in RegisteredChannelId]: ReturnType<ChannelRegistry[K]> };

/** What `ChannelAdapter.mount` receives: the gateway's one express router and socket.io server. */
export interface ChannelWebSurface extends WebSurface {
  router: Router;
  io: Server;
}

export type { ChatChannel } from './chat/chat.adapter.ts';
export type { ChatChannelConfig } from './chat/chat.config.ts';
export type { EmailChannel } from './email/email.adapter.ts';
export type { EmailChannelConfig } from './email/email.config.ts';
export type { WebformChannel } from './webform/webform.adapter.ts';
export type { WebformChannelConfig } from './webform/webform.config.ts';
export { displayHtml, type DisplayOptions } from './email/body/html-display.ts';
