'use client';
import { useEffect, useState } from 'react';
import { send } from './api';
import { FormStatus } from './FormStatus';

export function PairForm() {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function pair(value: string) {
    setBusy(true);
    setError(null);
    try {
      await send('POST', '/api/pair', { code: value });
      window.location.replace('/');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  // A scanned QR code carries the code in the fragment, which never reaches a server log.
  useEffect(() => {
    const fromLink = window.location.hash.slice(1);
    if (!fromLink) return;
    history.replaceState(null, '', window.location.pathname);
    send('POST', '/api/pair', { code: fromLink }).then(
      () => window.location.replace('/'),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, []);

  return (
    <form
      className="auth-card"
      aria-label="Pair this TV"
      onSubmit={(e) => {
        e.preventDefault();
        void pair(code);
      }}
    >
      <h1>Pair this screen</h1>
      <p className="auth-hint">
        An admin creates a wallboard under Admin → Wallboard TVs and reads out its code.
      </p>
      <label>
        Pairing code
        <input
          name="code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          placeholder="ABCDE-FGHJK"
          required
          autoFocus
        />
      </label>
      <FormStatus error={error} busy={busy} label="Pair" busyLabel="Pairing…" />
    </form>
  );
}
