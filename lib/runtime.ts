// The one bridge between the custom server (server.ts), which owns the store, the ingest queue
// and socket.io, and the Next.js routes, which are bundled separately and so cannot share module
// state with it: the server registers the runtime here, routes look it up.
import type { Config } from './config';
import type { Logger } from './log';
import type { Ingestor } from './calls/ingest';
import type { Queries } from './calls/queries';
import type { Auth } from './auth/auth';
import type { Accounts } from './auth/accounts';

export interface Runtime {
  config: Config;
  log: Logger;
  ingest: Ingestor;
  queries: Queries;
  auth: Auth;
  accounts: Accounts;
  /** Every stored call as CSV, streamed from the store. */
  exportCsv(): ReadableStream<Uint8Array>;
}

const KEY = Symbol.for('call-wallboard.runtime');
type Holder = { [KEY]?: Runtime };

export function registerRuntime(runtime: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = runtime;
}

export function getRuntime(): Runtime {
  const runtime = (globalThis as Holder)[KEY];
  if (!runtime) throw new Error('the wallboard runtime is not started: run the app with npm start');
  return runtime;
}
