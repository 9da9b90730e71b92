// E-mail for alerts (docs/alerts.md): which SMTP server (the workspace's own settings win over the
// server's environment), the words of a message and of a digest, and sending through nodemailer.

import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../store/alert-repo.ts';

/** How long connecting to and talking with an SMTP server may take. */
export const SMTP_TIMEOUT_MS = 15_000;

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends one message; throws on failure. Tests may swap it, production uses nodemailer. */
export type Mailer = (settings: SmtpSettings, mail: Mail) => Promise<void>;

export const nodemailerMailer: Mailer = async (s, mail) => {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.username ? { auth: { user: s.username, pass: s.password ?? '' } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: s.from_address, to: mail.to, subject: mail.subject, text: mail.text });
  } finally {
    transport.close();
  }
};

/**
 * The server-wide SMTP settings: TRUESTOCK_SMTP_HOST (required), _PORT (587), _SECURE (`1`/`true`:
 * TLS from the first byte, usual on 465), _USER, _PASSWORD, _FROM. A workspace's own settings
 * (PUT /v1/alerts/smtp) win over these.
 */
export function smtpFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpSettings | null {
  const host = env.TRUESTOCK_SMTP_HOST;
  if (!host) return null;
  const secure = env.TRUESTOCK_SMTP_SECURE === '1' || env.TRUESTOCK_SMTP_SECURE === 'true';
  const port = Number(env.TRUESTOCK_SMTP_PORT ?? (secure ? 465 : 587));
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`TRUESTOCK_SMTP_PORT must be a port number, got ${JSON.stringify(env.TRUESTOCK_SMTP_PORT)}`);
  return {
    host, port, secure,
    username: env.TRUESTOCK_SMTP_USER ?? null,
    password: env.TRUESTOCK_SMTP_PASSWORD ?? null,
    from_address: env.TRUESTOCK_SMTP_FROM ?? `truestock <alerts@${host}>`,
  };
}

export interface MailEvent {
  id: string;
  type: string;
  severity: string;
  payload: string;
}

/** One line saying what happened, for a subject or a digest. */
export function summary(e: MailEvent): string {
  const { data } = JSON.parse(e.payload) as { data: Record<string, any> };
  switch (e.type) {
    case 'exception.opened':
      return `${data.exception.kind} exception opened${data.exception.sku ? ` for ${data.exception.sku}` : ''}${data.exception.location ? ` at ${data.exception.location}` : ''}: ${data.exception.message}`;
    case 'exception.resolved':
      return `${data.exception.kind} exception resolved${data.exception.sku ? ` for ${data.exception.sku}` : ''}${data.exception.resolution ? `: ${data.exception.resolution}` : ''}`;
    case 'stock.low':
      return `${data.sku} at ${data.location} is ${data.threshold === 'reorder_point' ? 'at its reorder point' : 'low'}: ${data.available} available (threshold ${data.threshold_units})`;
    case 'stock.changed':
      return `${data.sku} at ${data.location}: ${data.available} available, ${data.on_hand} on hand`;
    case 'channel.status_changed':
      return `channel ${data.channel.name ?? data.channel.id} ${String(data.status).replace('_', ' ')}: ${data.reason}`;
    default:
      return e.type;
  }
}

export function singleMail(to: string, e: MailEvent): Mail {
  return {
    to,
    subject: `[truestock] ${e.severity}: ${summary(e)}`.slice(0, 200),
    text: `${summary(e)}\n\nEvent ${e.id} (${e.type}, ${e.severity}):\n${JSON.stringify(JSON.parse(e.payload), null, 2)}\n`,
  };
}

export function digestMail(to: string, events: readonly MailEvent[], minutes: number): Mail {
  const lines = events.map((e) => `- [${e.severity}] ${summary(e)} (${e.id})`);
  return {
    to,
    subject: `[truestock] ${events.length} alert${events.length === 1 ? '' : 's'} in the last ${minutes} min`,
    text: `${lines.join('\n')}\n`,
  };
}
