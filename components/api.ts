// JSON requests from the pages to the app's own API; errors carry the server's message.
export async function send<T>(method: string, url: string, payload?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: payload === undefined ? {} : { 'Content-Type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string } & T;
  if (!res.ok) {
    // Our own limits say how long to wait; Better Auth's flood guard does not.
    if (res.status === 429 && !body.error) throw new Error('Too many attempts: wait a minute and try again.');
    throw new Error(body.error ?? body.message ?? `request failed (${res.status})`);
  }
  return body;
}
