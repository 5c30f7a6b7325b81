// Delivers alert notifications to the channels an admin configures: a signed webhook, Slack, Microsoft
// Teams, email (docs/alerts.md). Each delivery retries what may pass later (network errors,
// timeouts, 5xx, 408, 429, SMTP 4xx) and gives up at once on what will not (other 4xx, SMTP 5xx).
// A channel's URL is a credential for Slack and Teams, so no error text carries it.
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport } from 'nodemailer';
import { z } from 'zod';

const httpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters');

export const channelConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('webhook'),
    url: httpUrl,
    secret: z.string().min(16, 'must be at least 16 characters').max(256, 'must be at most 256 characters'),
  }),
  /** A Slack incoming webhook URL. */
  z.object({ kind: z.literal('slack'), url: httpUrl }),
  /** A Teams Workflows "post to a channel when a webhook request is received" URL. */
  z.object({ kind: z.literal('teams'), url: httpUrl }),
  z.object({
    kind: z.literal('email'),
    to: z
      .array(z.email({ message: 'must be an email address' }))
      .min(1, 'must name at least one address')
      .max(20, 'must name at most 20 addresses'),
  }),
]);

export type ChannelConfig = z.infer<typeof channelConfigSchema>;

export interface AlertMessage {
  event: 'fired' | 'renotify' | 'resolved' | 'acknowledged' | 'test';
  alertId: string;
  /** The rule's name. */
  rule: string;
  /** The line the alert is about; null: all lines. */
  line: string | null;
  /** One human line, e.g. "Average MOS 3.2 below 3.5 over 15 min on +18005550100 (42 calls)". */
  summary: string;
  value: number | null;
  threshold: number | null;
  /** ISO 8601. */
  firedAt: string;
  resolvedAt?: string | null;
  acknowledgedBy?: string | null;
  /** Where to acknowledge or view the alert. */
  url?: string;
}

export interface DeliveryResult {
  ok: boolean;
  /** Tries made; 0 when the channel could not be tried at all. */
  attempts: number;
  /** The last HTTP status, or for email the last SMTP reply code. */
  status?: number;
  /**
   * Why the delivery failed, short and for people ("HTTP 500: …", "timed out after 10 s",
   * "connection refused", the SMTP server's reply). Never holds a channel URL, a secret or the
   * SMTP password. On a successful email, names recipients the server refused, if any.
   */
  error?: string;
}

export interface DeliveryOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://… (TLS). */
  smtpUrl?: string;
  emailFrom?: string;
  /** Tries in all, default 4. */
  attempts?: number;
  /** The first wait between tries, default 2000 ms, doubled after each. */
  backoffMs?: number;
  /** Per try, default 10000 ms. */
  timeoutMs?: number;
  /**
   * Names this notification in X-Wallboard-Delivery, the same on every try and on a re-send after
   * a crash, so a receiver can drop repeats. Default: a new UUID.
   */
  deliveryId?: string;
}

export const EVENT_LABEL: Record<AlertMessage['event'], string> = {
  fired: 'FIRING',
  renotify: 'STILL FIRING',
  resolved: 'RESOLVED',
  acknowledged: 'ACKNOWLEDGED',
  test: 'TEST',
};

/** A channel as a list shows it, without its secrets. */
export function describeChannel(c: ChannelConfig): string {
  switch (c.kind) {
    case 'webhook': {
      const u = new URL(c.url);
      return `webhook ${u.protocol}//${u.host}`;
    }
    case 'slack':
      return 'Slack';
    case 'teams':
      return 'Teams';
    case 'email':
      return c.to.join(', ');
  }
}

/**
 * The config as the browser may see it. Slack and Teams URLs carry their token in the path, so
 * only the origin is kept; a webhook keeps its URL (without user:password) but not its secret.
 */
export function redactChannel(c: ChannelConfig): ChannelConfig {
  switch (c.kind) {
    case 'webhook': {
      const u = new URL(c.url);
      u.username = '';
      u.password = '';
      return { kind: 'webhook', url: u.toString(), secret: '••••' };
    }
    case 'slack':
    case 'teams':
      return { kind: c.kind, url: `${new URL(c.url).origin}/…` };
    case 'email':
      return { kind: 'email', to: [...c.to] };
  }
}

/** X-Wallboard-Signature: `v1=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export function webhookSignature(secret: string, timestamp: number | string, body: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

const DEFAULTS = { attempts: 4, backoffMs: 2_000, timeoutMs: 10_000 };
/** A receiver's Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 60_000;
const BODY_EXCERPT = 200;

interface Try {
  result: DeliveryResult;
  retry: boolean;
  /** The receiver asked to wait this long (Retry-After). */
  waitMs?: number;
}

export async function deliver(
  channel: ChannelConfig,
  message: AlertMessage,
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const attempts = Math.max(1, Math.floor(opts.attempts ?? DEFAULTS.attempts));
  const backoffMs = Math.max(0, opts.backoffMs ?? DEFAULTS.backoffMs);
  const timeoutMs = Math.max(1, opts.timeoutMs ?? DEFAULTS.timeoutMs);

  let once: () => Promise<Try>;
  let cleanup = async () => {};
  switch (channel.kind) {
    case 'webhook': {
      const body = JSON.stringify({ type: `alert.${message.event}`, alert: webhookAlert(message) });
      // The same across retries of one delivery, so a receiver can drop a repeat.
      const delivery = opts.deliveryId ?? randomUUID();
      once = () => {
        const timestamp = Math.floor(Date.now() / 1000);
        return post(channel.url, body, timeoutMs, [channel.url, channel.secret], {
          'X-Wallboard-Timestamp': String(timestamp),
          'X-Wallboard-Signature': webhookSignature(channel.secret, timestamp, body),
          'X-Wallboard-Delivery': delivery,
        });
      };
      break;
    }
    case 'slack': {
      const body = JSON.stringify(slackPayload(message));
      once = () => post(channel.url, body, timeoutMs, [channel.url]);
      break;
    }
    case 'teams': {
      const body = JSON.stringify(teamsPayload(message));
      once = () => post(channel.url, body, timeoutMs, [channel.url]);
      break;
    }
    case 'email': {
      if (!opts.smtpUrl || !opts.emailFrom) {
        return { ok: false, attempts: 0, error: 'email needs SMTP_URL and ALERT_EMAIL_FROM' };
      }
      const secrets = smtpSecrets(opts.smtpUrl);
      let transport: ReturnType<typeof createTransport>;
      try {
        transport = createTransport({
          url: opts.smtpUrl,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
        });
      } catch (err) {
        return { ok: false, attempts: 0, error: scrub(`SMTP_URL not usable: ${errorText(err)}`, secrets) };
      }
      const mail = emailContent(message);
      const from = opts.emailFrom;
      once = () => sendEmail(transport, { from, to: channel.to, ...mail }, timeoutMs, secrets);
      cleanup = async () => transport.close();
      break;
    }
  }

  try {
    let last: DeliveryResult = { ok: false, attempts: 0 };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const t = await once();
      last = { ...t.result, attempts: attempt };
      if (last.ok || !t.retry || attempt === attempts) return last;
      const backoff = backoffMs * 2 ** (attempt - 1);
      await sleep(Math.max(backoff, t.waitMs ?? 0));
    }
    return last;
  } finally {
    await cleanup();
  }
}

/** The alert as the webhook sends it: known fields only, absent optional ones as null. */
function webhookAlert(m: AlertMessage): AlertMessage {
  return {
    event: m.event,
    alertId: m.alertId,
    rule: m.rule,
    line: m.line,
    summary: m.summary,
    value: m.value,
    threshold: m.threshold,
    firedAt: m.firedAt,
    resolvedAt: m.resolvedAt ?? null,
    acknowledgedBy: m.acknowledgedBy ?? null,
    ...(m.url ? { url: m.url } : {}),
  };
}

async function post(
  url: string,
  body: string,
  timeoutMs: number,
  secrets: string[],
  headers: Record<string, string> = {},
): Promise<Try> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'call-wallboard-alerts', ...headers },
      body,
      // A redirect would carry the signed body elsewhere, and means the URL is wrong: an error.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const status = res.status;
    if (status < 400) {
      // Nothing to read in a success or a redirect: dropping the body frees the connection.
      await res.body?.cancel().catch(() => {});
      if (status < 300) return { result: { ok: true, attempts: 0, status }, retry: false };
      const error = `HTTP ${status}: redirects are not followed`;
      return { result: { ok: false, attempts: 0, status, error }, retry: false };
    }
    const excerpt = await readExcerpt(res);
    const error = scrub(excerpt ? `HTTP ${status}: ${excerpt}` : `HTTP ${status}`, urlSecrets(secrets));
    const retry = status >= 500 || status === 408 || status === 429;
    const waitMs =
      status === 429 || status === 503 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
    return { result: { ok: false, attempts: 0, status, error }, retry, waitMs };
  } catch (err) {
    return {
      result: { ok: false, attempts: 0, error: scrub(networkError(err, timeoutMs), urlSecrets(secrets)) },
      retry: true,
    };
  }
}

/** The start of an error answer, read no further than needed: a receiver may answer a lot. */
async function readExcerpt(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < BODY_EXCERPT * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still gives the status.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return undefined;
  return Math.min(Number(header) * 1000, MAX_RETRY_AFTER_MS);
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CLOSED: 'connection closed',
};

function networkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `timed out after ${seconds(timeoutMs)}`;
  }
  // fetch throws "fetch failed" with the socket's error as the cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES[code]) return NETWORK_CODES[code];
    if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return `TLS certificate not accepted (${code})`;
    }
    return `network error (${code})`;
  }
  return `network error (${errorText(cause)})`;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The URL, its path and query, each also percent-decoded: what an error text might echo. */
function urlSecrets(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    out.push(v);
    try {
      const u = new URL(v);
      out.push(u.href);
      const rest = u.pathname + u.search;
      if (rest.length > 1) out.push(rest, decodeURIComponent(rest));
      if (u.password) out.push(u.password, decodeURIComponent(u.password));
    } catch {
      // Not a URL: the value itself is enough.
    }
  }
  return out;
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  // Longest first, so a URL goes whole before its path is looked for.
  for (const s of [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join('…');
  }
  return out;
}

function smtpSecrets(smtpUrl: string): string[] {
  const out = [smtpUrl];
  try {
    const u = new URL(smtpUrl);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
  } catch {
    // Not parsed here: nodemailer says what is wrong with it, and the whole URL is scrubbed.
  }
  return out;
}

interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

type SmtpError = Error & { code?: string; originalCode?: string; responseCode?: number; response?: string };

async function sendEmail(
  transport: ReturnType<typeof createTransport>,
  mail: Mail,
  timeoutMs: number,
  secrets: string[],
): Promise<Try> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const info = (await transport.sendMail({ ...mail, signal })) as {
      response?: string;
      rejected?: unknown[];
    };
    const status = Number(/^\d{3}/.exec(info.response ?? '')?.[0]) || undefined;
    const rejected = (info.rejected ?? []).map(String);
    const error = rejected.length ? `server refused ${rejected.join(', ')}` : undefined;
    return { result: { ok: true, attempts: 0, status, ...(error ? { error } : {}) }, retry: false };
  } catch (e) {
    const err = e as SmtpError;
    if (signal.aborted) {
      return {
        result: { ok: false, attempts: 0, error: `timed out after ${seconds(timeoutMs)}` },
        retry: true,
      };
    }
    const code = err.responseCode;
    if (typeof code === 'number') {
      const error = scrub((err.response ?? err.message).trim().slice(0, BODY_EXCERPT), secrets);
      // 4xx: the server asks to try later (greylisting, a full queue); 5xx: refused for good.
      return { result: { ok: false, attempts: 0, status: code, error }, retry: code >= 400 && code < 500 };
    }
    const connection = ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS'].includes(err.code ?? '');
    // nodemailer keeps the socket's own code (ECONNREFUSED, ...) as originalCode.
    const error = NETWORK_CODES[err.originalCode ?? err.code ?? ''] ?? err.message;
    return { result: { ok: false, attempts: 0, error: scrub(error, secrets) }, retry: connection };
  }
}

// ---- What each channel shows ----

const lineText = (m: AlertMessage) => m.line ?? 'all lines';
const num = (v: number | null) =>
  v === null ? 'n/a' : new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 }).format(v);

function when(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** Only an http(s) link is offered: anything else would be a script or a local file. */
function safeUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The facts every channel lists, in order. */
function facts(m: AlertMessage): [string, string][] {
  const out: [string, string][] = [
    ['Rule', m.rule],
    ['Line', lineText(m)],
    ['Value', num(m.value)],
    ['Threshold', num(m.threshold)],
    ['Fired', when(m.firedAt)],
  ];
  if (m.resolvedAt) out.push(['Resolved', when(m.resolvedAt)]);
  if (m.acknowledgedBy) out.push(['Acknowledged by', m.acknowledgedBy]);
  return out;
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions): user text carries them escaped. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);

function slackPayload(m: AlertMessage) {
  const label = EVENT_LABEL[m.event];
  const link = safeUrl(m.url);
  const fired = Date.parse(m.firedAt);
  // Slack shows the date in each reader's own time zone; the text after | is the fallback.
  const firedText = Number.isNaN(fired)
    ? slackEscape(m.firedAt)
    : `<!date^${Math.floor(fired / 1000)}^{date_short_pretty} {time}|${when(m.firedAt)}>`;
  const value =
    m.value === null && m.threshold === null ? 'n/a' : `${num(m.value)} (threshold ${num(m.threshold)})`;
  const fields = [
    `*Rule*\n${slackEscape(m.rule)}`,
    `*Line*\n${slackEscape(lineText(m))}`,
    `*Value*\n${value}`,
    `*Fired*\n${firedText}`,
  ];
  if (m.resolvedAt) fields.push(`*Resolved*\n${slackEscape(when(m.resolvedAt))}`);
  if (m.acknowledgedBy) fields.push(`*Acknowledged by*\n${slackEscape(m.acknowledgedBy)}`);
  const blocks: Record<string, unknown>[] = [
    // Header text is plain: Slack parses no markup there. At most 150 characters.
    { type: 'header', text: { type: 'plain_text', text: cut(`${label}: ${m.rule}`, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(m.summary), 3000) } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text: cut(text, 2000) })) },
  ];
  if (link) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${slackEscape(link)}|Acknowledge or view>` },
    });
  }
  return { text: cut(`[${label}] ${slackEscape(m.summary)}`, 3000), blocks };
}

function teamsPayload(m: AlertMessage) {
  const link = safeUrl(m.url);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: `${EVENT_LABEL[m.event]}: ${m.rule}`,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
            },
            { type: 'TextBlock', text: m.summary, wrap: true },
            { type: 'FactSet', facts: facts(m).map(([title, value]) => ({ title, value })) },
          ],
          actions: link ? [{ type: 'Action.OpenUrl', title: 'Acknowledge', url: link }] : [],
        },
      },
    ],
  };
}

const htmlEscape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

function emailContent(m: AlertMessage): Pick<Mail, 'subject' | 'text' | 'html'> {
  const label = EVENT_LABEL[m.event];
  const link = safeUrl(m.url);
  const rows = facts(m);
  const text = [
    m.summary,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(link ? ['', `Acknowledge or view: ${link}`] : []),
    '',
  ].join('\n');
  const html = [
    `<p><strong>${htmlEscape(label)}</strong>: ${htmlEscape(m.summary)}</p>`,
    '<table cellpadding="4" cellspacing="0">',
    ...rows.map(([k, v]) => `<tr><th align="left">${htmlEscape(k)}</th><td>${htmlEscape(v)}</td></tr>`),
    '</table>',
    ...(link ? [`<p><a href="${htmlEscape(link)}">Acknowledge or view</a></p>`] : []),
  ].join('\n');
  return { subject: `[Wallboard] ${label}: ${m.rule} (${lineText(m)})`, text, html };
}
