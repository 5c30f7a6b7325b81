// Alert notifications reach real receivers on loopback: a user's webhook that checks the signature
// as docs/alerts.md describes, Slack- and Teams-shaped endpoints, and an SMTP server.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET, answer, closeReceivers, onClose, receiver, webhookReceiver } from '../helpers/receivers';

afterEach(closeReceivers);
import {
  channelConfigSchema,
  deliver,
  describeChannel,
  redactChannel,
  webhookSignature,
  type AlertMessage,
} from '@/lib/alerts/channels';

const message: AlertMessage = {
  event: 'fired',
  alertId: 'alert-42',
  rule: 'Low MOS',
  line: '+18005550100',
  summary: 'Average MOS 3.2 below 3.5 over 15 min on +18005550100 (42 calls)',
  value: 3.2,
  threshold: 3.5,
  firedAt: '2024-04-04T18:32:15.000Z',
  url: 'https://wallboard.example.com/alerts/alert-42',
};

// Fast retries: the policy is the same, only the waits are shorter.
const fast = { backoffMs: 10 };

describe('webhook', () => {
  it('delivers the alert once, signed as documented, with every field of the message', async () => {
    const r = await webhookReceiver();
    const result = await deliver({ kind: 'webhook', url: r.url, secret: SECRET }, message, fast);
    expect(result).toEqual({ ok: true, attempts: 1, status: 204 });
    expect(r.got).toEqual([
      {
        verified: true,
        body: {
          type: 'alert.fired',
          alert: { ...message, resolvedAt: null, acknowledgedBy: null },
        },
      },
    ]);
    const [req] = r.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-wallboard-signature']).toBe(
      webhookSignature(SECRET, req!.headers['x-wallboard-timestamp'] as string, req!.raw),
    );
  });

  it('is refused by the receiver when signed with another secret, or with an old timestamp', async () => {
    const r = await webhookReceiver();
    const result = await deliver(
      { kind: 'webhook', url: r.url, secret: 'another-secret-0123456789' },
      message,
      fast,
    );
    // 401 will not pass by retrying.
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 401 });
    expect(result.error).toBe('HTTP 401: bad signature');
    expect(r.got).toHaveLength(1);
    expect(r.got[0]!.verified).toBe(false);

    // Correctly signed, but six minutes old: a replay.
    const body = JSON.stringify({ type: 'alert.fired', alert: message });
    const old = Math.floor(Date.now() / 1000) - 360;
    const replay = await fetch(r.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Wallboard-Timestamp': String(old),
        'X-Wallboard-Signature': webhookSignature(SECRET, old, body),
      },
      body,
    });
    expect(replay.status).toBe(401);
    expect(r.got[1]!.verified).toBe(false);
  });
});

describe('Slack', () => {
  it('posts text and blocks, with & < > escaped in user text', async () => {
    const r = await receiver(answer(200, 'ok'));
    const tricky = { ...message, summary: 'MOS <3.5 & falling on <!channel>' };
    const result = await deliver({ kind: 'slack', url: r.url }, tricky, fast);
    expect(result).toEqual({ ok: true, attempts: 1, status: 200 });
    expect(r.requests).toHaveLength(1);
    const body = JSON.parse(r.requests[0]!.raw) as { text: string; blocks: Record<string, unknown>[] };
    expect(body.text).toBe('[FIRING] MOS &lt;3.5 &amp; falling on &lt;!channel&gt;');
    expect(body.blocks.length).toBeGreaterThan(0);
    const blocks = JSON.stringify(body.blocks);
    expect(blocks).toContain('MOS &lt;3.5 &amp; falling on &lt;!channel&gt;');
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).not.toContain('<3.5');
    expect(blocks).toContain('Low MOS');
    expect(blocks).toContain('+18005550100');
    expect(blocks).toContain('3.2 (threshold 3.5)');
    expect(blocks).toContain(`<${message.url}|`);
  });
});

describe('Teams', () => {
  it('posts an adaptive card with the facts and an Acknowledge action', async () => {
    const r = await receiver(answer(202));
    const result = await deliver({ kind: 'teams', url: r.url }, message, fast);
    expect(result).toEqual({ ok: true, attempts: 1, status: 202 });
    const body = JSON.parse(r.requests[0]!.raw);
    expect(body).toMatchObject({
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
              { type: 'TextBlock', text: 'FIRING: Low MOS', weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: message.summary, wrap: true },
              { type: 'FactSet' },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Acknowledge', url: message.url }],
          },
        },
      ],
    });
    const facts = body.attachments[0].content.body[2].facts as { title: string; value: string }[];
    expect(facts).toEqual(
      expect.arrayContaining([
        { title: 'Rule', value: 'Low MOS' },
        { title: 'Line', value: '+18005550100' },
        { title: 'Value', value: '3.2' },
        { title: 'Threshold', value: '3.5' },
      ]),
    );
  });

  it('offers no action without a link, and names all lines when the rule has no line', async () => {
    const r = await receiver(answer(202));
    await deliver({ kind: 'teams', url: r.url }, { ...message, url: undefined, line: null }, fast);
    const content = JSON.parse(r.requests[0]!.raw).attachments[0].content;
    expect(content.actions).toEqual([]);
    expect(content.body[2].facts).toContainEqual({ title: 'Line', value: 'all lines' });
  });
});

describe('retries', () => {
  it('retries a 500 and succeeds on the third try', async () => {
    const r = await receiver((req, res, n) => res.writeHead(n <= 2 ? 500 : 200).end(n <= 2 ? 'busy' : 'ok'));
    const result = await deliver({ kind: 'slack', url: r.url }, message, fast);
    expect(result).toEqual({ ok: true, attempts: 3, status: 200 });
    expect(r.requests).toHaveLength(3);
  });

  it('gives up after the attempts allowed, and the error never shows the URL', async () => {
    const r = await receiver((req, res) => {
      // Echoes the path: the error must still not show it.
      res.writeHead(500).end(`no route for ${req.path}`);
    }, '/T000/B000/XXXXsecretXXXX');
    const result = await deliver({ kind: 'slack', url: r.url }, message, { ...fast, attempts: 3 });
    expect(result).toMatchObject({ ok: false, attempts: 3, status: 500 });
    expect(r.requests).toHaveLength(3);
    expect(result.error).toMatch(/^HTTP 500: /);
    expect(result.error).not.toContain('secret');
    expect(result.error).not.toContain('/T000/');
  });

  it('does not retry a 400', async () => {
    const r = await receiver(answer(400, 'invalid_payload'));
    const result = await deliver({ kind: 'slack', url: r.url }, message, fast);
    expect(result).toEqual({ ok: false, attempts: 1, status: 400, error: 'HTTP 400: invalid_payload' });
    expect(r.requests).toHaveLength(1);
  });

  it('retries a 429 after its Retry-After', async () => {
    const r = await receiver((req, res, n) =>
      n === 1 ? res.writeHead(429, { 'Retry-After': '0' }).end('rate_limited') : res.writeHead(200).end('ok'),
    );
    const result = await deliver({ kind: 'slack', url: r.url }, message, fast);
    expect(result).toEqual({ ok: true, attempts: 2, status: 200 });
    expect(r.requests).toHaveLength(2);
  });

  it('reports a redirect as an error, not followed', async () => {
    const target = await receiver(answer(200, 'ok'));
    const r = await receiver(answer(302, '', { Location: target.url }));
    const result = await deliver({ kind: 'teams', url: r.url }, message, fast);
    expect(result).toMatchObject({ ok: false, attempts: 1, status: 302 });
    expect(result.error).toMatch(/^HTTP 302/);
    expect(target.requests).toHaveLength(0);
  });

  it('times out a receiver that never answers', async () => {
    const r = await receiver(() => {});
    const result = await deliver({ kind: 'slack', url: r.url }, message, { timeoutMs: 200, attempts: 1 });
    expect(result).toEqual({ ok: false, attempts: 1, error: 'timed out after 0.2 s' });
    expect(r.requests).toHaveLength(1);
  });

  it('retries a refused connection and says so', async () => {
    const r = await receiver(answer(200));
    await r.close();
    const result = await deliver({ kind: 'webhook', url: r.url, secret: SECRET }, message, {
      ...fast,
      attempts: 2,
    });
    expect(result).toEqual({ ok: false, attempts: 2, error: 'connection refused' });
  });
});

interface Mail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** An SMTP server on loopback, without TLS or authentication. */
async function smtpReceiver(options: Partial<SMTPServerOptions> = {}) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        mails.push({
          from: from ? from.address : undefined,
          to: session.envelope.rcptTo.map((a) => a.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = onClose(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { smtpUrl: `smtp://127.0.0.1:${port}`, port, mails, close };
}

const FROM = 'wallboard@example.com';

describe('email', () => {
  it('sends the alert to every address, with the event and rule in the subject', async () => {
    const s = await smtpReceiver();
    const to = ['ops@example.com', 'noc@example.com'];
    const result = await deliver({ kind: 'email', to }, message, { smtpUrl: s.smtpUrl, emailFrom: FROM });
    expect(result).toMatchObject({ ok: true, attempts: 1, status: 250 });
    expect(s.mails).toHaveLength(1);
    const [mail] = s.mails;
    expect(mail!.from).toBe(FROM);
    expect(mail!.to).toEqual(to);
    expect(mail!.raw).toMatch(/^To: ops@example\.com, noc@example\.com$/m);
    expect(mail!.raw).toMatch(/^Subject: \[Wallboard\] FIRING: Low MOS \(\+18005550100\)$/m);
    expect(mail!.raw).toContain(message.summary);
    expect(mail!.raw).toContain('text/html');
  });

  it('retries an SMTP 4xx and not a 5xx', async () => {
    let refusals = 0;
    const later = await smtpReceiver({
      onRcptTo(_address, _session, callback) {
        if (refusals++ > 0) return callback();
        callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
      },
    });
    const retried = await deliver({ kind: 'email', to: ['ops@example.com'] }, message, {
      ...fast,
      smtpUrl: later.smtpUrl,
      emailFrom: FROM,
    });
    expect(retried).toMatchObject({ ok: true, attempts: 2 });
    expect(later.mails).toHaveLength(1);

    const never = await smtpReceiver({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      },
    });
    const refused = await deliver({ kind: 'email', to: ['nobody@example.com'] }, message, {
      ...fast,
      smtpUrl: never.smtpUrl,
      emailFrom: FROM,
    });
    expect(refused).toMatchObject({ ok: false, attempts: 1, status: 550 });
    expect(refused.error).toContain('No such user');
  });

  it('names the missing settings, and never shows the SMTP password', async () => {
    const missing = await deliver({ kind: 'email', to: ['ops@example.com'] }, message, { emailFrom: FROM });
    expect(missing).toEqual({ ok: false, attempts: 0, error: 'email needs SMTP_URL and ALERT_EMAIL_FROM' });

    const s = await smtpReceiver();
    await s.close();
    const refused = await deliver({ kind: 'email', to: ['ops@example.com'] }, message, {
      ...fast,
      attempts: 2,
      smtpUrl: `smtp://alerts:hunter2-password@127.0.0.1:${s.port}`,
      emailFrom: FROM,
    });
    expect(refused).toMatchObject({ ok: false, attempts: 2, error: 'connection refused' });
    expect(refused.error).not.toContain('hunter2');
  });
});

describe('channel settings', () => {
  it('names the field that is wrong', () => {
    const issues = (input: unknown) =>
      channelConfigSchema.safeParse(input).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ kind: 'webhook', url: 'ftp://example.com/x', secret: 'short' })).toEqual([
      'url',
      'secret',
    ]);
    expect(issues({ kind: 'slack', url: 'not a url' })).toEqual(['url']);
    expect(issues({ kind: 'email', to: ['ops@example.com', 'nope'] })).toEqual(['to.1']);
    expect(issues({ kind: 'email', to: [] })).toEqual(['to']);
    expect(issues({ kind: 'pager' })).toEqual(['kind']);
    expect(
      issues({ kind: 'teams', url: 'https://example.webhook.office.com/workflows/abc' }),
    ).toBeUndefined();
  });

  it('describes and redacts channels without their secrets', () => {
    const slack = {
      kind: 'slack' as const,
      url: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX',
    };
    const webhook = {
      kind: 'webhook' as const,
      url: 'https://hooks.example.com:8443/in?token=t',
      secret: SECRET,
    };
    expect(describeChannel(webhook)).toBe('webhook https://hooks.example.com:8443');
    expect(describeChannel(slack)).toBe('Slack');
    expect(describeChannel({ kind: 'teams', url: slack.url })).toBe('Teams');
    expect(describeChannel({ kind: 'email', to: ['a@example.com', 'b@example.com'] })).toBe(
      'a@example.com, b@example.com',
    );
    expect(redactChannel(slack)).toEqual({ kind: 'slack', url: 'https://hooks.slack.com/…' });
    expect(redactChannel(webhook)).toEqual({ ...webhook, secret: '••••' });
    const shown = JSON.stringify([redactChannel(slack), redactChannel(webhook)]);
    expect(shown).not.toContain('XXXXsecretXXXX');
    expect(shown).not.toContain(SECRET);
  });
});
