'use client';
import { useState } from 'react';
import {
  MAX_RETENTION_DAYS,
  type NumberView,
  type PrivacySettings,
  type RetentionState,
} from '@/lib/common/privacy';
import { useFormats } from './useTimeZone';
import { send } from './api';

const SUPERVISOR_VIEWS: Record<NumberView, string> = {
  masked: 'masked (+1 555 ••• 0123)',
  reveal: 'masked, with a reveal per call (audited)',
  full: 'in full',
};

/** Who sees callers' numbers, how long calls are kept, how long the audit log is kept. */
export function PrivacyForm({ initial, status: done }: { initial: PrivacySettings; status: RetentionState }) {
  const formats = useFormats();
  const [supervisors, setSupervisors] = useState<NumberView>(initial.supervisorNumbers);
  const [tvs, setTvs] = useState(initial.tvNumbers);
  const [days, setDays] = useState(initial.retentionDays === null ? '' : String(initial.retentionDays));
  const [action, setAction] = useState(initial.retentionAction);
  const [auditDays, setAuditDays] = useState(String(initial.auditRetentionDays));
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      await send('PUT', '/api/admin/privacy', {
        supervisorNumbers: supervisors,
        tvNumbers: tvs,
        retentionDays: days.trim() === '' ? null : Number(days),
        retentionAction: action,
        auditRetentionDays: Number(auditDays),
      });
      setStatus({ ok: true, text: 'Saved. Every board has reloaded with them.' });
    } catch (err) {
      setStatus({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel admin-section" aria-label="Privacy">
      <h2>Privacy</h2>
      <form className="settings-form" onSubmit={(e) => void save(e)} data-testid="privacy-form">
        <fieldset>
          <legend>Callers’ numbers (admins always see them in full)</legend>
          <label>
            <span>Supervisors see them</span>
            <select
              name="supervisorNumbers"
              value={supervisors}
              onChange={(e) => setSupervisors(e.target.value as NumberView)}
            >
              {(Object.keys(SUPERVISOR_VIEWS) as NumberView[]).map((v) => (
                <option key={v} value={v}>
                  {SUPERVISOR_VIEWS[v]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>TVs show them</span>
            <select
              name="tvNumbers"
              value={tvs}
              onChange={(e) => setTvs(e.target.value as PrivacySettings['tvNumbers'])}
            >
              <option value="masked">masked</option>
              <option value="full">in full</option>
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Retention</legend>
          <label>
            <span>Keep calls for (days; empty: for ever)</span>
            <input
              name="retentionDays"
              type="number"
              min="1"
              max={MAX_RETENTION_DAYS}
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
          </label>
          <label>
            <span>After that</span>
            <select
              name="retentionAction"
              value={action}
              onChange={(e) => setAction(e.target.value as PrivacySettings['retentionAction'])}
            >
              <option value="delete">delete the calls (totals and charts stay)</option>
              <option value="mask">keep the calls, numbers masked</option>
            </select>
          </label>
          <label>
            <span>Keep the audit log for (days)</span>
            <input
              name="auditRetentionDays"
              type="number"
              min="1"
              max={MAX_RETENTION_DAYS}
              required
              value={auditDays}
              onChange={(e) => setAuditDays(e.target.value)}
            />
          </label>
        </fieldset>
        <p className="auth-hint" data-testid="retention-status">
          {done.lastRunAt === null
            ? 'Retention has not run yet: it runs a minute after the server starts, then every 5 minutes.'
            : `Last run ${formats.dateTime(done.lastRunAt)}: ${formats.count(done.lastDeleted ?? 0)} calls deleted, ${formats.count(done.lastMasked ?? 0)} masked.`}
          {done.purgedBefore !== null
            ? ` Calls before ${formats.dateTime(done.purgedBefore)} are deleted.`
            : ''}
          {done.maskedBefore !== null
            ? ` Numbers of calls before ${formats.dateTime(done.maskedBefore)} are masked.`
            : ''}
        </p>
        {status ? (
          <p
            className={status.ok ? 'settings-saved' : 'auth-error'}
            role={status.ok ? 'status' : 'alert'}
            data-testid="privacy-status"
          >
            {status.text}
          </p>
        ) : null}
        <button className="button button-primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save privacy settings'}
        </button>
      </form>
    </section>
  );
}
