'use client';
import { useState } from 'react';
import { send } from './api';
import { FormStatus } from './FormStatus';

export function PasswordForm({ mustChange, username }: { mustChange: boolean; username: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = String(form.get('newPassword') ?? '');
    if (next !== String(form.get('confirm') ?? '')) {
      setError('The two new passwords differ.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await send('POST', '/api/account/password', {
        currentPassword: String(form.get('currentPassword') ?? ''),
        newPassword: next,
      });
      // A full load, not a client-side route change: the session just changed and the server decides
      // where it leads (the board, or the password page for a one-time password).
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign('/');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <form className="auth-card" onSubmit={submit} aria-label="Change password">
      <h1>{mustChange ? 'Choose your password' : 'Change password'}</h1>
      {mustChange ? (
        <p className="auth-hint">You signed in with a one-time password. Choose your own to continue.</p>
      ) : null}
      <input type="text" name="username" value={username} autoComplete="username" readOnly hidden />
      <label>
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password (12 characters or more)
        <input name="newPassword" type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <label>
        New password again
        <input name="confirm" type="password" autoComplete="new-password" minLength={12} required />
      </label>
      <FormStatus error={error} busy={busy} label="Save password" busyLabel="Saving…" />
    </form>
  );
}
