import pino, { type Logger } from 'pino';

/** One JSON line per event. Secrets are redacted wherever they might be passed by mistake. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        '*.signature',
        '*.authorization',
        '*.cookie',
        'headers["x-signalwire-signature"]',
        'headers["x-twilio-signature"]',
        'headers["x-signalwire-sha256-signature"]',
        'headers.authorization',
        'headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
