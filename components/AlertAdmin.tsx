'use client';
import { useCallback, useEffect, useId, useState } from 'react';
import { DateTime } from 'luxon';
// The kinds' labels, units and bounds come from the definition the server validates with.
import { KIND_INFO, RULE_KINDS, type Rule, type RuleKind } from '@/lib/common/alert-rules';
import { useFormats, useTimeZone } from './useTimeZone';

/** A channel as GET /api/admin/alert-channels lists it: no secret, no Slack or Teams token. */
interface ChannelInfo {
  id: string;
  name: string;
  kind: ChannelKind;
  describe: string;
}

/** A rule as the API answers it: `snoozedUntil` in ISO 8601. */
type RuleInfo = Omit<Rule, 'snoozedUntil'> & { snoozedUntil: string | null };

type ChannelKind = 'webhook' | 'slack' | 'teams' | 'email';

const CHANNEL_KINDS: { kind: ChannelKind; label: string; url?: string }[] = [
  { kind: 'webhook', label: 'Webhook (signed)', url: 'URL' },
  { kind: 'slack', label: 'Slack', url: 'Incoming webhook URL' },
  { kind: 'teams', label: 'Microsoft Teams', url: 'Workflow webhook URL' },
  { kind: 'email', label: 'Email' },
];
const KIND_LABEL = Object.fromEntries(CHANNEL_KINDS.map((c) => [c.kind, c.label])) as Record<
  ChannelKind,
  string
>;

/** Averages and rates over a window: they need a minimum of calls to mean anything. */
const RATE_KINDS = new Set<RuleKind>([
  'mos-below',
  'loss-above',
  'success-below',
  'failure-above',
  'bad-audio-above',
]);
/** Kinds that sum over `windowMinutes`; the others' threshold is itself a time. */
const WINDOW_KINDS = new Set<RuleKind>([...RATE_KINDS, 'bad-signatures', 'rejected']);

const KIND_HELP: Record<RuleKind, string> = {
  'mos-below':
    'The average MOS of the calls in the window is below the threshold, once at least the minimum of calls have a MOS.',
  'loss-above':
    'Lost packets, as a share of all packets of the calls in the window, are above the threshold.',
  'success-below':
    'Completed calls, as a share of the finished calls in the window, are below the threshold.',
  'failure-above':
    'Finished calls that did not complete (busy, failed, no answer, canceled), as a share of the finished calls in the window, are above the threshold.',
  'bad-audio-above':
    'Talk time of calls with bad audio (MOS below the poor band) in the window is above the threshold.',
  'line-silent':
    'A line has had no callback for the threshold, while its usual traffic at this hour would have brought calls; quiet hours do not alert.',
  'bad-signatures':
    'Callbacks a minute failing the signature check, over the window. The usual cause is PUBLIC_URL: behind a proxy or tunnel the URL the provider signs differs from the one the server checks.',
  rejected: 'Callbacks a minute refused as malformed, over the window.',
  'no-callbacks':
    'No callback at all for the threshold, while calls are usual at this hour: the provider’s status callback URL or the server’s reachability is broken.',
  'stuck-calls':
    'Calls still ringing or in progress after the threshold: their final callback never arrived. Set it above the longest normal call, as a long call in progress looks the same as a lost final callback.',
};

/** "3.5 MOS", "5%", "2/min": a threshold with its unit. */
const withUnit = (value: number, unit: string) =>
  unit === '%' || unit.startsWith('/') ? `${value}${unit}` : `${value} ${unit}`;

/** A refusal from the API, with the field it names when it names one. */
class ApiError extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

// As components/api.ts's send, keeping the `field` of a 400 so the message goes next to its input.
async function request<T>(method: string, url: string, payload?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: payload === undefined ? {} : { 'Content-Type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string; field?: string } & T;
  if (!res.ok) throw new ApiError(body.error ?? `request failed (${res.status})`, body.field ?? null);
  return body;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The server's "field: message" without the field, which the input's label already names. */
const fieldText = (err: ApiError) =>
  err.field && err.message.startsWith(`${err.field}: `)
    ? err.message.slice(err.field.length + 2)
    : err.message;

type Errors = Record<string, string>;

/** A refusal sorted to the input it is about (`fieldOf` maps the API's path), else to the form. */
function errorsOf(err: unknown, fieldOf: (path: string) => string | null): Errors {
  if (err instanceof ApiError && err.field) {
    const field = fieldOf(err.field);
    if (field) return { [field]: fieldText(err) };
  }
  return { form: messageOf(err) };
}

/** What ties an input to its label and to the server's complaint about it. */
type FieldProps = { id: string; name: string; 'aria-invalid'?: true; 'aria-describedby'?: string };

/** A labelled input, with the server's complaint about it underneath. */
function Field({
  base,
  name,
  label,
  errors,
  wide,
  children,
}: {
  base: string;
  name: string;
  label: React.ReactNode;
  errors: Errors;
  wide?: boolean;
  children: (props: FieldProps) => React.ReactNode;
}) {
  const id = `${base}-${name}`;
  const error = errors[name];
  return (
    <div className={`alert-admin-field${wide ? ' alert-admin-wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, ...(error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {}) })}
      {error ? (
        <span className="alert-admin-field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return 'whsec_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const fetchAll = () =>
  Promise.all([
    request<{ channels: ChannelInfo[] }>('GET', '/api/admin/alert-channels'),
    request<{ rules: RuleInfo[] }>('GET', '/api/admin/alert-rules'),
  ]);

/** The alert channels and rules of the admin page; rules are evaluated on the server. */
export function AlertAdmin() {
  const [channels, setChannels] = useState<ChannelInfo[] | null>(null);
  const [rules, setRules] = useState<RuleInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const show = useCallback(([c, r]: [{ channels: ChannelInfo[] }, { rules: RuleInfo[] }]) => {
    setChannels(c.channels);
    setRules(r.rules);
  }, []);
  const reload = useCallback(async () => show(await fetchAll()), [show]);

  useEffect(() => {
    fetchAll().then(show, (err: unknown) => setError(messageOf(err)));
  }, [show]);

  return (
    <section className="panel admin-section alert-admin" aria-label="Alerts" data-testid="alert-admin">
      <header className="alert-admin-head">
        <h2>Alerts</h2>
        <a className="button alert-admin-link" href="/alerts">
          Alert history
        </a>
      </header>
      <p className="auth-hint">
        The server evaluates every enabled rule every ALERT_INTERVAL_SECONDS (15 s by default), whether or not
        a board is open. An alert notifies its rule’s channels when it fires, again every re-notify interval
        until someone acknowledges it, and once when it resolves.
      </p>
      {error ? (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}
      <Channels channels={channels} reload={reload} />
      <Rules rules={rules} channels={channels ?? []} reload={reload} />
      <details className="alert-admin-help">
        <summary>What each rule kind watches</summary>
        <dl>
          {RULE_KINDS.map((k) => (
            <div key={k}>
              <dt>
                {KIND_INFO[k].label} ({KIND_INFO[k].unit})
              </dt>
              <dd>{KIND_HELP[k]}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}

type Status = { tone: 'busy' | 'ok' | 'error'; text: string };

function Channels({ channels, reload }: { channels: ChannelInfo[] | null; reload: () => Promise<void> }) {
  const base = useId();
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Record<string, Status>>({});
  const urlLabel = CHANNEL_KINDS.find((c) => c.kind === kind)?.url;
  const mark = (id: string, s: Status) => setStatus((all) => ({ ...all, [id]: s }));

  async function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const text = (k: string) => String(data.get(k) ?? '').trim();
    const config =
      kind === 'email'
        ? {
            kind,
            to: text('to')
              .split(/[\s,;]+/)
              .filter(Boolean),
          }
        : kind === 'webhook'
          ? { kind, url: text('url'), secret }
          : { kind, url: text('url') };
    setBusy(true);
    setErrors({});
    try {
      await request('POST', '/api/admin/alert-channels', { name: text('name'), config });
      form.reset();
      setSecret('');
      await reload();
    } catch (err) {
      // "config.to.1": the second address; people count from one.
      const to = err instanceof ApiError ? /^config\.to\.(\d+)$/.exec(err.field ?? '') : null;
      setErrors(
        to
          ? { to: `address ${Number(to[1]) + 1}: ${fieldText(err as ApiError)}` }
          : errorsOf(err, (path) => {
              if (path === 'name') return 'name';
              if (path === 'config.url' || path === 'config.secret') return path.slice('config.'.length);
              if (path === 'config.to') return 'to';
              return null;
            }),
      );
    } finally {
      setBusy(false);
    }
  }

  async function test(c: ChannelInfo) {
    mark(c.id, { tone: 'busy', text: 'Sending…' });
    try {
      const r = await request<{ ok: boolean; error: string | null }>(
        'POST',
        `/api/admin/alert-channels/${encodeURIComponent(c.id)}/test`,
      );
      mark(c.id, r.ok ? { tone: 'ok', text: 'Delivered' } : { tone: 'error', text: r.error ?? 'failed' });
    } catch (err) {
      mark(c.id, { tone: 'error', text: messageOf(err) });
    }
  }

  async function remove(c: ChannelInfo) {
    if (!window.confirm(`Delete the channel ${c.name}?`)) return;
    try {
      await request('DELETE', `/api/admin/alert-channels/${encodeURIComponent(c.id)}`);
      await reload();
    } catch (err) {
      // A 409 names the rules that still use it.
      mark(c.id, { tone: 'error', text: messageOf(err) });
    }
  }

  return (
    <div className="alert-admin-part" role="group" aria-label="Alert channels">
      <h3>Channels</h3>
      {channels === null ? (
        <p className="auth-hint">Loading…</p>
      ) : channels.length === 0 ? (
        <p className="auth-hint">No channels yet.</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Sends to</th>
              <th>Last action</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.id} data-testid={`channel-${c.name}`}>
                <td>{c.name}</td>
                <td>{KIND_LABEL[c.kind] ?? c.kind}</td>
                <td>{c.describe}</td>
                <td>
                  {status[c.id] ? (
                    <span
                      className={`alert-admin-status alert-admin-status-${status[c.id]!.tone}`}
                      role={status[c.id]!.tone === 'error' ? 'alert' : 'status'}
                      data-testid="channel-status"
                    >
                      {status[c.id]!.tone === 'ok' ? '✓ ' : status[c.id]!.tone === 'error' ? '✕ ' : ''}
                      {status[c.id]!.text}
                    </span>
                  ) : null}
                </td>
                <td>
                  {/* A flex cell would not stretch to a tall row: the flex box goes inside. */}
                  <div className="admin-actions alert-admin-actions">
                    <button
                      className="button"
                      type="button"
                      disabled={status[c.id]?.tone === 'busy'}
                      onClick={() => void test(c)}
                    >
                      Send test
                    </button>
                    <button className="button button-danger" type="button" onClick={() => void remove(c)}>
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="alert-admin-form" aria-label="Add alert channel" onSubmit={(e) => void add(e)}>
        <Field base={base} name="name" label="Name" errors={errors}>
          {(p) => <input {...p} placeholder="e.g. On-call Slack" required />}
        </Field>
        <Field base={base} name="kind" label="Kind" errors={errors}>
          {(p) => (
            <select
              {...p}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as ChannelKind);
                setErrors({});
              }}
            >
              {CHANNEL_KINDS.map((c) => (
                <option key={c.kind} value={c.kind}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {urlLabel ? (
          <Field base={base} name="url" label={urlLabel} errors={errors} wide>
            {(p) => (
              <input
                {...p}
                type="url"
                required
                placeholder={
                  kind === 'slack'
                    ? 'https://hooks.slack.com/services/…'
                    : kind === 'teams'
                      ? 'https://…logic.azure.com/workflows/…'
                      : 'https://alerts.example.com/wallboard'
                }
                autoComplete="off"
              />
            )}
          </Field>
        ) : (
          <Field base={base} name="to" label="Addresses (comma-separated)" errors={errors} wide>
            {(p) => (
              <input {...p} required placeholder="oncall@example.com, lead@example.com" autoComplete="off" />
            )}
          </Field>
        )}
        {kind === 'webhook' ? (
          <Field
            base={base}
            name="secret"
            label="Secret (16 characters or more; signs each delivery)"
            errors={errors}
            wide
          >
            {(p) => (
              <span className="alert-admin-inline">
                <input
                  {...p}
                  required
                  minLength={16}
                  autoComplete="off"
                  spellCheck={false}
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                />
                <button className="button" type="button" onClick={() => setSecret(randomSecret())}>
                  Generate
                </button>
              </span>
            )}
          </Field>
        ) : null}
        <button className="button button-primary" type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add channel'}
        </button>
        {errors.form ? (
          <p className="auth-error alert-admin-form-error" role="alert">
            {errors.form}
          </p>
        ) : null}
      </form>
      {kind === 'webhook' ? (
        <p className="auth-hint">
          Copy the secret to your receiver before adding the channel: the server keeps it and never shows it
          again. Each delivery carries X-Wallboard-Signature, an HMAC-SHA256 of the timestamp and body
          (docs/alerts.md).
        </p>
      ) : kind === 'email' ? (
        <p className="auth-hint">Email is sent through SMTP_URL, from ALERT_EMAIL_FROM.</p>
      ) : (
        <p className="auth-hint">The URL is a credential: the server keeps it, and lists only its origin.</p>
      )}
    </div>
  );
}

/** 08:00 tomorrow in the page's zone, as an ISO instant. */
function tomorrowAtEight(zone: string): string {
  return DateTime.now()
    .setZone(zone)
    .plus({ days: 1 })
    .set({ hour: 8, minute: 0, second: 0, millisecond: 0 })
    .toUTC()
    .toISO()!;
}

/** Re-renders every 30 s, so a snooze that ran out shows as active. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Rules({
  rules,
  channels,
  reload,
}: {
  rules: RuleInfo[] | null;
  channels: ChannelInfo[];
  reload: () => Promise<void>;
}) {
  const base = useId();
  const formats = useFormats();
  const zone = useTimeZone();
  const now = useNow();
  const [kind, setKind] = useState<RuleKind>('mos-below');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const info = KIND_INFO[kind];
  const channelName = new Map(channels.map((c) => [c.id, c.name]));

  async function add(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const text = (k: string) => String(data.get(k) ?? '').trim();
    const number = (k: string) => (text(k) === '' ? undefined : Number(text(k)));
    const rule = {
      name: text('name'),
      kind,
      line: info.perLine && text('line') ? text('line') : null,
      threshold: number('threshold'),
      ...(WINDOW_KINDS.has(kind) ? { windowMinutes: number('windowMinutes') } : {}),
      ...(RATE_KINDS.has(kind) ? { minCalls: number('minCalls') } : {}),
      channels: data.getAll('channels').map(String),
      renotifyMinutes: number('renotifyMinutes'),
    };
    setBusy(true);
    setErrors({});
    try {
      await request('POST', '/api/admin/alert-rules', rule);
      form.reset();
      setKind('mos-below');
      await reload();
    } catch (err) {
      setErrors(
        errorsOf(err, (path) => {
          const field = path.split('.')[0]!;
          return [
            'name',
            'kind',
            'line',
            'threshold',
            'windowMinutes',
            'minCalls',
            'channels',
            'renotifyMinutes',
          ].includes(field)
            ? field
            : null;
        }),
      );
    } finally {
      setBusy(false);
    }
  }

  async function patch(r: RuleInfo, change: Partial<Pick<RuleInfo, 'snoozedUntil' | 'enabled'>>) {
    setRowError(null);
    try {
      await request('PATCH', `/api/admin/alert-rules/${encodeURIComponent(r.id)}`, change);
      await reload();
    } catch (err) {
      setRowError({ id: r.id, text: messageOf(err) });
    }
  }

  async function remove(r: RuleInfo) {
    if (!window.confirm(`Delete the rule ${r.name}? Its open alerts close without a notification.`)) return;
    setRowError(null);
    try {
      await request('DELETE', `/api/admin/alert-rules/${encodeURIComponent(r.id)}`);
      await reload();
    } catch (err) {
      setRowError({ id: r.id, text: messageOf(err) });
    }
  }

  const snoozed = (r: RuleInfo) => r.snoozedUntil !== null && Date.parse(r.snoozedUntil) > now;

  return (
    <div className="alert-admin-part" role="group" aria-label="Alert rules">
      <h3>Rules</h3>
      {rules === null ? (
        <p className="auth-hint">Loading…</p>
      ) : rules.length === 0 ? (
        <p className="auth-hint">No rules yet.</p>
      ) : (
        <table className="admin-table alert-admin-rules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Condition</th>
              <th>Line</th>
              <th>Window</th>
              <th>Min calls</th>
              <th>Channels</th>
              <th>Re-notify</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const k = KIND_INFO[r.kind];
              const state = !r.enabled
                ? 'off'
                : snoozed(r)
                  ? `snoozed until ${formats.callTime(r.snoozedUntil!, new Date(now))}`
                  : 'active';
              return (
                <tr key={r.id} data-testid={`rule-${r.name}`} className={r.enabled ? '' : 'alert-admin-off'}>
                  <td>{r.name}</td>
                  <td>
                    {k.label} {withUnit(r.threshold, k.unit)}
                  </td>
                  <td>{r.line ? <bdi>{r.line}</bdi> : k.perLine ? 'all lines' : '—'}</td>
                  <td>{WINDOW_KINDS.has(r.kind) ? `${r.windowMinutes} min` : '—'}</td>
                  <td>{RATE_KINDS.has(r.kind) ? formats.count(r.minCalls) : '—'}</td>
                  <td>
                    {r.channels.length === 0
                      ? 'none'
                      : r.channels.map((id) => channelName.get(id) ?? '(deleted)').join(', ')}
                  </td>
                  {/* Fractions are allowed (0.5: 30 s), so not a whole count. */}
                  <td>every {+r.renotifyMinutes.toFixed(2)} min</td>
                  <td>
                    <span
                      className={`alert-admin-state alert-admin-state-${state === 'active' ? 'active' : state === 'off' ? 'off' : 'snoozed'}`}
                      data-testid="rule-state"
                      title={snoozed(r) && r.enabled ? formats.dateTime(r.snoozedUntil!) : undefined}
                      suppressHydrationWarning
                    >
                      {state}
                    </span>
                    {rowError?.id === r.id ? (
                      <span className="alert-admin-field-error" role="alert">
                        {rowError.text}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <div className="admin-actions alert-admin-actions">
                      {snoozed(r) ? (
                        <button
                          className="button"
                          type="button"
                          onClick={() => void patch(r, { snoozedUntil: null })}
                        >
                          Unsnooze
                        </button>
                      ) : (
                        <>
                          <button
                            className="button"
                            type="button"
                            onClick={() =>
                              void patch(r, { snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() })
                            }
                          >
                            Snooze 1 h
                          </button>
                          <button
                            className="button"
                            type="button"
                            title={`Until 08:00 tomorrow (${zone})`}
                            onClick={() => void patch(r, { snoozedUntil: tomorrowAtEight(zone) })}
                          >
                            Snooze to 08:00
                          </button>
                        </>
                      )}
                      <button
                        className="button"
                        type="button"
                        onClick={() => void patch(r, { enabled: !r.enabled })}
                      >
                        {r.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button className="button button-danger" type="button" onClick={() => void remove(r)}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <form className="alert-admin-form" aria-label="Add alert rule" onSubmit={(e) => void add(e)}>
        <Field base={base} name="name" label="Name" errors={errors}>
          {(p) => <input {...p} placeholder="e.g. Low MOS on sales" required />}
        </Field>
        <Field base={base} name="kind" label="Kind" errors={errors}>
          {(p) => (
            <select
              {...p}
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as RuleKind);
                setErrors({});
              }}
            >
              {RULE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_INFO[k].label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {/* No min/max: the server's bounds are the ones that count, and its refusal names them. */}
        <Field
          base={base}
          name="threshold"
          label={`Threshold (${info.unit}, ${info.min}–${formats.count(info.max)})`}
          errors={errors}
        >
          {(p) => <input {...p} type="number" step="any" required className="alert-admin-number" />}
        </Field>
        {info.perLine ? (
          <Field base={base} name="line" label="Line (empty: all lines)" errors={errors}>
            {(p) => <input {...p} placeholder="+18005550100" autoComplete="off" />}
          </Field>
        ) : null}
        {WINDOW_KINDS.has(kind) ? (
          <Field base={base} name="windowMinutes" label="Window (minutes)" errors={errors}>
            {(p) => (
              <input
                {...p}
                type="number"
                step="1"
                defaultValue={15}
                required
                className="alert-admin-number"
              />
            )}
          </Field>
        ) : null}
        {RATE_KINDS.has(kind) ? (
          <Field base={base} name="minCalls" label="Minimum calls" errors={errors}>
            {(p) => (
              <input
                {...p}
                type="number"
                step="1"
                defaultValue={10}
                required
                className="alert-admin-number"
              />
            )}
          </Field>
        ) : null}
        <Field base={base} name="renotifyMinutes" label="Re-notify every (minutes)" errors={errors}>
          {(p) => (
            <input
              {...p}
              type="number"
              step="any"
              defaultValue={30}
              required
              className="alert-admin-number"
            />
          )}
        </Field>
        <fieldset
          className="alert-admin-channels"
          aria-describedby={errors.channels ? `${base}-channels-error` : undefined}
        >
          <legend>Channels</legend>
          {channels.length === 0 ? (
            <span className="auth-hint">none yet: add one above</span>
          ) : (
            channels.map((c) => (
              <label key={c.id} className="alert-admin-check">
                <input type="checkbox" name="channels" value={c.id} />
                <span>{c.name}</span>
              </label>
            ))
          )}
          {errors.channels ? (
            <span className="alert-admin-field-error" id={`${base}-channels-error`} role="alert">
              {errors.channels}
            </span>
          ) : null}
        </fieldset>
        <button className="button button-primary" type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add rule'}
        </button>
        {errors.form ? (
          <p className="auth-error alert-admin-form-error" role="alert">
            {errors.form}
          </p>
        ) : null}
      </form>
      <p className="auth-hint" data-testid="rule-kind-help">
        {info.label}: {KIND_HELP[kind]}
      </p>
    </div>
  );
}
