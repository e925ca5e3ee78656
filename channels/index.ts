/**
 * What the app wiring needs from the channels: the registry (channels/registry.ts, which alone
 * sees every channel), the web surface live channels mount on, each channel's types, and the mail
 * HTML sanitizer the API shows mail with.
 */
import type { Router } from 'express';
import type { Server } from 'socket.io';
import type { WebSurface } from '../src/core/index.ts';

export { channelRegistry, CHANNEL_IDS, type ChannelConfigs, type ChannelRegistry, type Channels, type RegisteredChannelId } from './registry.ts';

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
