import { z } from 'zod';
import type { AppConfig } from '../config.types.js';
import { variables, whenValid } from '../variables.js';

/** Alert repetition and channels: email through SMTP, webhooks. */
export const alertsSlice = () =>
  z
    .object(
      variables(
        'SM_ALERT_COOLDOWN_SECONDS',
        'SM_EMERGENCY_REPEAT_SECONDS',
        'SM_ALERT_CHANNEL_FAILING_SECONDS',
        'SM_ALERT_SEND_TIMEOUT_SECONDS',
        'SM_SMTP_URL',
        'SM_ALERT_EMAIL_FROM',
        'SM_ALERT_EMAIL_TO',
        'SM_ALERT_WEBHOOK_URLS',
        'SM_ALERT_WEBHOOK_SECRET',
        'SM_ALERTMANAGER_URL',
        'SM_ALERT_HEARTBEAT_HOURS',
      ),
    )
    .superRefine(
      (env, ctx) => {
        if (env.SM_SMTP_URL && (!env.SM_ALERT_EMAIL_FROM || env.SM_ALERT_EMAIL_TO.length === 0)) {
          ctx.addIssue({ code: 'custom', message: 'SM_SMTP_URL needs SM_ALERT_EMAIL_FROM and SM_ALERT_EMAIL_TO' });
        }
      },
      // A malformed recipient is named on its own; the list still says whether any recipient was given.
      whenValid('SM_SMTP_URL', 'SM_ALERT_EMAIL_FROM'),
    )
    .transform(
      (env): Pick<AppConfig, 'alerts'> => ({
        alerts: {
          cooldownSeconds: env.SM_ALERT_COOLDOWN_SECONDS,
          emergencyRepeatSeconds: env.SM_EMERGENCY_REPEAT_SECONDS,
          channelFailingSeconds: env.SM_ALERT_CHANNEL_FAILING_SECONDS,
          sendTimeoutSeconds: env.SM_ALERT_SEND_TIMEOUT_SECONDS,
          smtpUrl: env.SM_SMTP_URL,
          emailFrom: env.SM_ALERT_EMAIL_FROM,
          emailTo: env.SM_ALERT_EMAIL_TO,
          webhookUrls: env.SM_ALERT_WEBHOOK_URLS,
          webhookSecret: env.SM_ALERT_WEBHOOK_SECRET,
          alertmanagerUrl: env.SM_ALERTMANAGER_URL,
          heartbeatHours: env.SM_ALERT_HEARTBEAT_HOURS,
        },
      }),
    );
