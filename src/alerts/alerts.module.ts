import { Module } from '@nestjs/common';
import { AlertmanagerChannel } from '../adapters/alertmanager/alertmanager.channel.js';
import { EmailChannel } from '../adapters/mail/email.channel.js';
import { WebhookChannel } from '../adapters/webhook/webhook.channel.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StateModule } from '../state/state.module.js';
import { TiersModule } from '../tiers/tiers.module.js';
import { ALERT_CHANNELS, type AlertChannel } from './alert-channel.port.js';
import { AlertDeliveryService } from './alert-delivery.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';

/** The channels the configuration asks for: email (SM_SMTP_URL), one per webhook URL (SM_ALERT_WEBHOOK_URLS), Alertmanager (SM_ALERTMANAGER_URL). */
export function channelsFrom(config: AppConfig): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const { smtpUrl, emailFrom, emailTo, webhookUrls, webhookSecret, alertmanagerUrl, sendTimeoutSeconds } = config.alerts;
  const timeoutMs = sendTimeoutSeconds * 1000;
  if (smtpUrl && emailFrom && emailTo.length > 0) channels.push(new EmailChannel(smtpUrl, emailFrom, emailTo, timeoutMs));
  const names = new Map<string, number>();
  for (const url of webhookUrls) {
    const host = `webhook:${new URL(url).host}`;
    const seen = names.get(host) ?? 0;
    names.set(host, seen + 1);
    channels.push(new WebhookChannel(url, webhookSecret, seen === 0 ? host : `${host}#${seen + 1}`, timeoutMs));
  }
  if (alertmanagerUrl) channels.push(new AlertmanagerChannel(alertmanagerUrl, timeoutMs));
  return channels;
}

@Module({
  imports: [StateModule, SchedulerModule, TiersModule],
  controllers: [AlertsController],
  providers: [{ provide: ALERT_CHANNELS, useFactory: channelsFrom, inject: [APP_CONFIG] }, AlertDeliveryService, AlertsService],
  exports: [AlertsService, AlertDeliveryService],
})
export class AlertsModule {}
