/**
 * What the gateway counts, as a port: the core and the channels record through it and never see a
 * metrics library. src/infra implements it for Prometheus; without one configured nothing is kept.
 */
export interface Metrics {
  /** A message a channel handed to the intake, with what became of it and how long it took. */
  ingested(channel: string, outcome: string, seconds: number): void;
  /** A delivery attempt that failed; `permanent` when the entry will not be tried again. */
  deliveryFailed(channel: string, permanent: boolean): void;
  /** A channel's link to its server dropped and a reconnect was scheduled (e.g. email/imap). */
  reconnect(channel: string, link: string): void;
  /** A submission a channel turned away before intake (e.g. webform/honeypot, webform/rate-limit). */
  rejected(channel: string, reason: string): void;
  /** A live channel's client connected (+1) or left (-1), by role (chat: `visitor`, `agent`). */
  liveConnections(channel: string, role: string, delta: number): void;
}

export const noMetrics: Metrics = {
  ingested: () => {},
  deliveryFailed: () => {},
  reconnect: () => {},
  rejected: () => {},
  liveConnections: () => {},
};
