'use client';
import { useState } from 'react';
import { send } from './api';
import { FormStatus } from './FormStatus';

export function LoginForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await send('POST', '/api/auth/sign-in/username', {
        username: String(form.get('username') ?? '').trim(),
        password: String(form.get('password') ?? ''),
      });
      // A full load, not a client-side route change: the session just changed and the server decides
      // where it leads (the board, or the password page for a one-time password).
      window.location.assign(next);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <form className="auth-card" onSubmit={submit} aria-label="Sign in">
      <h1>Call wallboard</h1>
      <label>
        Username
        <input name="username" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <FormStatus error={error} busy={busy} label="Sign in" busyLabel="Signing in…" />
      <p className="auth-hint">
        First start? The admin&apos;s one-time password is printed in the server&apos;s console. A TV?{' '}
        <a href="/pair">Pair it with a code</a>.
      </p>
    </form>
  );
}
