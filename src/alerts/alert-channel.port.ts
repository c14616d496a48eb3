import type { AlertMessage } from '../event-log/event.types.js';

/**
 * One way alerts leave the process (email, a webhook, Alertmanager). Implemented in `adapters/mail`,
 * `adapters/webhook`, `adapters/alertmanager`. `send` resolves once the receiver has accepted the message and
 * rejects otherwise; the outbox retries, with the same message (and id), until it is accepted.
 */
export abstract class AlertChannel {
  /** Stable name, used in events, metrics and GET /api/alerts: `email`, `webhook:hooks.example.com`. */
  abstract readonly name: string;
  abstract send(alert: AlertMessage): Promise<void>;
  /** Receivers that forget a firing alert unless it is posted again (Alertmanager) get every active one periodically. */
  readonly refreshesActive: boolean = false;
}

/** Injection token of the configured channels (an empty list when none is configured). */
export const ALERT_CHANNELS = Symbol('AlertChannels');
