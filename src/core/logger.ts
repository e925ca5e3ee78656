/** The pino-compatible logger shape the core and the channels accept (injected, never imported). */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  fatal(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}
