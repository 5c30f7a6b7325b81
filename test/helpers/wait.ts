// Waiting for a condition rather than for a time: polls until `probe` gives a value (anything but
// undefined or false), or fails naming what it waited for. An asynchronous probe (a request to the
// server) is asked less often than one that reads what the test already holds.
export function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | (() => string),
  ms = 15_000,
): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async () => {
      let every = 10;
      try {
        const asked = probe();
        if (asked instanceof Promise) every = 50;
        const v = await asked;
        if (v !== undefined && v !== false) return resolve(v);
      } catch (e) {
        return reject(e instanceof Error ? e : new Error(String(e)));
      }
      if (Date.now() - started > ms) {
        return reject(new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`));
      }
      setTimeout(() => void tick(), every);
    };
    void tick();
  });
}
