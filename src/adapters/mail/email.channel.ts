import nodemailer, { type Transporter } from 'nodemailer';
import { AlertChannel } from '../../alerts/alert-channel.port.js';
import type { AlertMessage } from '../../event-log/event.types.js';

/**
 * Alerts as plain-text email through SMTP (nodemailer). The subject is the alert's one-line title; the body says
 * what happened, where and what to do, then lists the facts. `Message-ID` is derived from the alert's id, so a
 * retry after a lost answer is the same message to the receiving side.
 */
export class EmailChannel extends AlertChannel {
  readonly name = 'email';
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly to: readonly string[],
    timeoutMs = 10_000,
  ) {
    super();
    const url = new URL(smtpUrl);
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(alert: AlertMessage): Promise<void> {
    const facts = Object.entries(alert.details)
      .map(([key, value]) => `  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
      .join('\n');
    await this.transport.sendMail({
      from: this.from,
      to: [...this.to],
      subject: alert.title,
      messageId: `<${alert.id}@storage-manager>`,
      date: new Date(alert.at),
      headers: { 'X-Storage-Manager-Alert': `${alert.kind}; tier=${alert.tier}; status=${alert.status}` },
      text: `${alert.text}\n\n${facts}\n\nAlert ${alert.id} (${alert.kind}, ${alert.tier}, ${alert.status}) at ${alert.at}.\n`,
    });
  }
}
