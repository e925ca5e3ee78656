/** The web form channel's factory, called by the registry with `config.channels.webform`. */
import type { ChannelDeps } from '../../src/core/index.ts';
import { WebformChannel } from './webform.adapter.ts';
import type { WebformChannelConfig } from './webform.settings.ts';

export type { WebformChannelConfig } from './webform.settings.ts';

export function createWebformChannel(config: WebformChannelConfig, deps: ChannelDeps): WebformChannel {
  return new WebformChannel(config, {
    blobs: deps.blobs, keys: deps.keys, publicUrl: deps.web.publicUrl, tickets: deps.tickets, logger: deps.logger.child({ channel: 'webform' }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.web.redisUrl ? { redisUrl: deps.web.redisUrl } : {}),
  });
}
