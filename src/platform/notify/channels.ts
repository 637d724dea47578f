import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';

/** What every outbound channel answers: the log records it as is. */
export interface SendResult {
  ok: boolean;
  /** HTTP status (webhook) or SMTP reply code (email). */
  responseCode?: number;
  error?: string;
}

/** An outbound channel. Sending happens outside any database transaction (it may take seconds). */
export interface Channel<M> {
  send(message: M): Promise<SendResult>;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** App path or URL; made absolute with the public URL and appended to the text. */
  link?: string | null;
}

/** Thin, versioned webhook body (DESIGN: integrations): what happened and to what; details via the API. */
export interface WebhookPayload {
  id: string;
  type: string;
  occurredAt: string;
  tenantId: string;
  data: Record<string, unknown>;
}

export interface WebhookMessage {
  /** Delivery id: the same on every retry, so receivers can drop duplicates. */
  deliveryId: string;
  payload: WebhookPayload;
}

const SMTP_TIMEOUT_MS = 15_000;

/** E-mail over SMTP (`SMTP_URL`, e.g. smtp://user:pass@mail.example.com:587 or smtps://…:465). */
export function emailChannel(opts: { smtpUrl: string | null; from: string; publicUrl: string }): Channel<EmailMessage> {
  const smtpUrl = opts.smtpUrl;
  // nodemailer is loaded with the first e-mail, not at start (see the import rule in eslint.config.js).
  let transport: Promise<Transporter> | null = null;
  const transportOf = (url: string): Promise<Transporter> =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({ url, connectionTimeout: SMTP_TIMEOUT_MS, greetingTimeout: SMTP_TIMEOUT_MS, socketTimeout: SMTP_TIMEOUT_MS }),
    ));
  return {
    async send(message) {
      if (!smtpUrl) return { ok: false, error: 'e-mail is not configured (set SMTP_URL)' };
      const link = message.link ? (/^https?:\/\//.test(message.link) ? message.link : opts.publicUrl.replace(/\/$/, '') + message.link) : null;
      try {
        const info = await (await transportOf(smtpUrl)).sendMail({
          from: opts.from,
          to: message.to,
          subject: message.subject,
          text: link ? `${message.text}\n\n${link}\n` : `${message.text}\n`,
        });
        const code = /^(\d{3})/.exec(String(info.response ?? ''))?.[1];
        return { ok: true, ...(code ? { responseCode: Number(code) } : {}) };
      } catch (e) {
        const err = e as Error & { responseCode?: number };
        return { ok: false, error: err.message.slice(0, 1000), ...(typeof err.responseCode === 'number' ? { responseCode: err.responseCode } : {}) };
      }
    },
  };
}

/** `X-SafeLoop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** Reads at most `max` bytes of a response (a hint for the log) and drops the rest. */
async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The status is what counts; a broken body only loses the hint.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, 200).trim();
}

export const WEBHOOK_PAYLOAD_VERSION = '1';
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Signed webhook. The timestamp is part of the signed text so a receiver can refuse old replays; the
 * signature covers the exact bytes sent. Redirects are not followed (a 3xx is a failure): the configured
 * URL is the one the administrator approved. Any non-2xx status or a timeout is a failure to retry.
 */
export function webhookChannel(opts: { url: string; secret: string; timeoutMs?: number; now?: () => Date }): Channel<WebhookMessage> {
  return {
    async send(message) {
      const body = JSON.stringify(message.payload);
      const t = Math.floor((opts.now ?? (() => new Date()))().getTime() / 1000);
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'SafeLoop-Webhook/1',
            'x-safeloop-event': message.payload.type,
            'x-safeloop-delivery': message.deliveryId,
            'x-safeloop-payload-version': WEBHOOK_PAYLOAD_VERSION,
            'x-safeloop-signature': signWebhook(opts.secret, body, t),
          },
          body,
        });
        const text = await readSome(res, 2048);
        if (res.status >= 200 && res.status < 300) return { ok: true, responseCode: res.status };
        return { ok: false, responseCode: res.status, error: `HTTP ${res.status}${text ? `: ${text}` : ''}` };
      } catch (e) {
        const err = e as Error;
        const error = err.name === 'TimeoutError' ? `timed out after ${opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms` : err.message;
        return { ok: false, error: error.slice(0, 1000) };
      }
    },
  };
}
