'use client';

/** The end of the sign-in, pairing and password forms: what went wrong, and the submit button. */
export function FormStatus({
  error,
  busy,
  label,
  busyLabel,
}: {
  error: string | null;
  busy: boolean;
  label: string;
  busyLabel: string;
}) {
  return (
    <>
      {error ? (
        <p className="auth-error" role="alert" data-testid="auth-error">
          {error}
        </p>
      ) : null}
      <button className="button button-primary" type="submit" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </>
  );
}
