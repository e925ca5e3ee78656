/** The one pino root. Components take child loggers; secrets never reach a line. */
import pino from 'pino';
import type { Logger } from '../core/index.ts';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'helpdesk' },
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'adminToken', '*.adminToken', 'authorization', '*.authorization',
        'req.headers.authorization', 'config.channels.email.imap.password', 'config.channels.email.smtp.password', 'config.secret', 'config.adminToken'],
      censor: '[redacted]',
    },
    serializers: { err: pino.stdSerializers.err },
  }, destination ?? pino.destination({ fd: 2, sync: false })) as unknown as Logger;
}
