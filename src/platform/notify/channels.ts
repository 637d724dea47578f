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
async function readSome(res: Response, max: number, keep = 200): Promise<string> {
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
  return Buffer.concat(chunks).toString('utf8').slice(0, keep).trim();
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

// ---------------------------------------------------------------------------------------------------
// Group robots (DingTalk, WeCom) and the generic HTTP SMS adapter

/** A markdown message for a group chat; `atMobiles` are the recipients to @-mention. */
export interface RobotMessage {
  title: string;
  text: string;
  atMobiles: string[];
}

export interface SmsMessage {
  /** Mobile numbers from the person record (people.phone). */
  to: string[];
  text: string;
  /** Values for the provider's template, next to the full text for providers without templates. */
  params: Record<string, string>;
}

interface PostOutcome {
  status: number;
  text: string;
}

async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'SafeLoop-Notify/1', ...headers },
    body,
  });
  return { status: res.status, text: await readSome(res, 4096, 4096) };
}

function failure(e: unknown, timeoutMs: number): SendResult {
  const err = e as Error;
  const error = err.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : err.message;
  return { ok: false, error: error.slice(0, 1000) };
}

/**
 * Both robots answer HTTP 200 with `{"errcode":0,"errmsg":"ok"}` on success and HTTP 200 with another
 * errcode on failure (bad token, bad sign, rate limit 310000/45009…), so the status alone proves nothing.
 */
function robotResult(r: PostOutcome): SendResult {
  if (r.status < 200 || r.status >= 300) return { ok: false, responseCode: r.status, error: `HTTP ${r.status}${r.text ? `: ${r.text.slice(0, 200)}` : ''}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.text);
  } catch {
    return { ok: false, responseCode: r.status, error: `unreadable answer: ${r.text.slice(0, 200)}` };
  }
  const errcode = typeof parsed === 'object' && parsed !== null ? (parsed as { errcode?: unknown }).errcode : undefined;
  const errmsg = typeof parsed === 'object' && parsed !== null ? (parsed as { errmsg?: unknown }).errmsg : undefined;
  if (errcode === 0) return { ok: true, responseCode: r.status };
  return { ok: false, responseCode: r.status, error: `errcode ${String(errcode)}: ${String(errmsg ?? '')}`.slice(0, 1000) };
}

export const DINGTALK_URL = 'https://oapi.dingtalk.com/robot/send';
export const WECOM_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';
const ROBOT_TIMEOUT_MS = 10_000;

/**
 * DingTalk 加签 (robot "additional signature"): Base64(HMAC-SHA256(key = secret, text = timestamp + "\n" +
 * secret)), URL-encoded, with the same millisecond timestamp; DingTalk refuses a timestamp more than an
 * hour old.
 */
export function signDingTalk(secret: string, timestampMs: number): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'));
}

/** The robot URL with its access token and, with a secret, `&timestamp=…&sign=…`. */
export function dingTalkUrl(opts: { url?: string; token: string; secret?: string }, nowMs: number): string {
  const base = opts.url ?? DINGTALK_URL;
  let u = `${base}${base.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(opts.token)}`;
  if (opts.secret) u += `&timestamp=${nowMs}&sign=${signDingTalk(opts.secret, nowMs)}`;
  return u;
}

/** DingTalk group robot, `msgtype: markdown`; mentioned numbers must also appear as "@138…" in the text. */
export function dingTalkChannel(opts: { url?: string; token: string; secret?: string; timeoutMs?: number; now?: () => Date }): Channel<RobotMessage> {
  const timeoutMs = opts.timeoutMs ?? ROBOT_TIMEOUT_MS;
  return {
    async send(m) {
      const mentions = m.atMobiles.length > 0 ? `\n\n${m.atMobiles.map((p) => `@${p}`).join(' ')}` : '';
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: m.title, text: `${m.text}${mentions}` }, at: { atMobiles: m.atMobiles, isAtAll: false } });
      try {
        return robotResult(await postJson(dingTalkUrl(opts, (opts.now ?? (() => new Date()))().getTime()), body, {}, timeoutMs));
      } catch (e) {
        return failure(e, timeoutMs);
      }
    },
  };
}

/**
 * WeCom (企业微信) group robot, `msgtype: markdown`. WeCom markdown cannot @-mention by mobile number
 * (only `text` messages take mentioned_mobile_list), so mentions are sent as a second `text` message
 * only when there is someone to mention.
 */
export function weComChannel(opts: { url?: string; token: string; timeoutMs?: number }): Channel<RobotMessage> {
  const timeoutMs = opts.timeoutMs ?? ROBOT_TIMEOUT_MS;
  const base = opts.url ?? WECOM_URL;
  const url = `${base}${base.includes('?') ? '&' : '?'}key=${encodeURIComponent(opts.token)}`;
  return {
    async send(m) {
      try {
        const first = robotResult(await postJson(url, JSON.stringify({ msgtype: 'markdown', markdown: { content: `**${m.title}**\n${m.text}` } }), {}, timeoutMs));
        if (!first.ok || m.atMobiles.length === 0) return first;
        return robotResult(await postJson(url, JSON.stringify({ msgtype: 'text', text: { content: m.title, mentioned_mobile_list: m.atMobiles } }), {}, timeoutMs));
      } catch (e) {
        return failure(e, timeoutMs);
      }
    },
  };
}

/**
 * Generic HTTP SMS gateway: POST JSON `{ to, templateId, params, text }` with `X-Api-Key` and, with a
 * secret, `X-SafeLoop-Signature` signed like webhooks. Any 2xx is accepted; a JSON answer with
 * `success: false` or a non-zero `code` is a failure (most gateways report refusals that way).
 */
export function smsChannel(opts: { url: string; token?: string; secret?: string; templateId?: string; timeoutMs?: number; now?: () => Date }): Channel<SmsMessage> {
  const timeoutMs = opts.timeoutMs ?? ROBOT_TIMEOUT_MS;
  return {
    async send(m) {
      const body = JSON.stringify({ to: m.to, templateId: opts.templateId ?? null, params: m.params, text: m.text });
      const headers: Record<string, string> = {};
      if (opts.token) headers['x-api-key'] = opts.token;
      if (opts.secret) headers['x-safeloop-signature'] = signWebhook(opts.secret, body, Math.floor((opts.now ?? (() => new Date()))().getTime() / 1000));
      try {
        const r = await postJson(opts.url, body, headers, timeoutMs);
        if (r.status < 200 || r.status >= 300) return { ok: false, responseCode: r.status, error: `HTTP ${r.status}${r.text ? `: ${r.text.slice(0, 200)}` : ''}` };
        try {
          const j = JSON.parse(r.text) as { success?: unknown; code?: unknown; message?: unknown };
          if (j.success === false || (typeof j.code === 'number' && j.code !== 0)) {
            return { ok: false, responseCode: r.status, error: `refused: ${String(j.message ?? j.code ?? '')}`.slice(0, 1000) };
          }
        } catch {
          // Not JSON: the 2xx is the answer.
        }
        return { ok: true, responseCode: r.status };
      } catch (e) {
        return failure(e, timeoutMs);
      }
    },
  };
}

/**
 * An SMS must stay short (70 characters is one segment of Chinese text): the severity and the place are
 * kept whole, the title is shortened with an ellipsis.
 */
export function smsText(parts: { severity: string; place: string | null; title: string }, max: number): string {
  // The severity tag carries its own spacing ("【紧急】" or "[Critical] ").
  const head = parts.place ? `${parts.severity}${parts.place}: ` : parts.severity;
  const chars = [...parts.title];
  const room = max - [...head].length;
  if (room <= 1) return [...head].slice(0, max).join('');
  return head + (chars.length <= room ? parts.title : `${chars.slice(0, room - 1).join('')}…`);
}
