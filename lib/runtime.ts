// The one bridge between the custom server (server.ts), which owns the store, the ingest queue
// and socket.io, and the Next.js routes, which are bundled separately and so cannot share module
// state with it: the server registers the runtime here, routes look it up.
import type { Config } from './config';
import type { Logger } from './log';
import type { Ingestor } from './calls/ingest/queue';
import type { Queries } from './calls/queries';
import type { Auth } from './auth/auth';
import type { Accounts } from './auth/accounts';
import type { Limits } from './auth/limits';
import type { IngestCounters } from './calls/health';
import type { BoardFilter } from './common/filter';
import type { BoardSettings } from './common/settings';
import type { PrivacySettings, RetentionState } from './common/privacy';
import type { ExportOptions } from './calls/csv';
import type { ExportSlots } from './calls/export-slots';
import type { Metrics } from './ops/metrics';
import type { AlertService } from './alerts/service';
import type { ChannelConfig, DeliveryResult } from './alerts/channels';
import type { StoreSize } from './common/admin';
import type { Audit } from './ops/audit';

export interface Runtime {
  config: Config;
  log: Logger;
  ingest: Ingestor;
  queries: Queries;
  auth: Auth;
  accounts: Accounts;
  /** Failed sign-ins and wrong current passwords, counted in the store. */
  limits: Limits;
  counters: IngestCounters;
  /** The calls a board filter counts, as CSV, streamed from the store. */
  exportCsv(filter: BoardFilter, opts: ExportOptions): ReadableStream<Uint8Array>;
  /** Exports running on this instance: one per user, EXPORT_CONCURRENCY in all. */
  exportSlots: ExportSlots;
  /** Stores the board's settings and tells every board (recounting rollups if the bands moved). */
  saveSettings(settings: BoardSettings): Promise<{ recounted: boolean }>;
  /** Who sees callers' numbers, retention, audit retention: as in force now (briefly cached). */
  privacy(): Promise<PrivacySettings>;
  /** Stores the privacy settings; every board is checked again and reloads with them. */
  savePrivacy(settings: PrivacySettings): Promise<void>;
  /** Where retention's background work stands. */
  retentionStatus(): Promise<RetentionState>;
  /** A user's or TV's lines changed: their boards move to their new lines and reload. */
  scopeChanged(): void;
  /** Alert rules, channels and alerts. */
  alerts: AlertService;
  /** Sends a test notification through a channel now, with the product's delivery options. */
  testChannel(channel: ChannelConfig): Promise<DeliveryResult>;
  /** Tells every board that the open alerts changed. */
  alertsChanged(): void;
  /** Prometheus metrics of this instance; null unless METRICS_TOKEN is set. */
  metrics: Metrics | null;
  /** Identifies the running build: a board seeing another one reloads itself. */
  release: string;
  /** What the store holds, its bytes on disk and its growth per day (lib/ops/store-size.ts). */
  storeSize(): Promise<StoreSize>;
  /** The audit log: sign-ins, exports and admin changes (lib/ops/audit.ts). */
  audit: Audit;
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
