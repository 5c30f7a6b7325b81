// `npm run bench` flags, and the run lengths they imply. Parsed once, shared by the bench's modules.
import { parseArgs } from 'node:util';
import type { Provider } from '../../lib/db/adapters';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    calls: { type: 'string' },
    /** sqlite (a temp file) or postgresql (a fresh database on the local server, dropped at the end). */
    store: { type: 'string', default: 'sqlite' },
    /** With --store postgresql: fan-out between the two instances through Redis rather than PostgreSQL. */
    'redis-url': { type: 'string' },
    /** Skips the purge row (it is skipped anyway above PURGE_MAX_CALLS). */
    'no-purge': { type: 'boolean', default: false },
    /** A separate mode: the server's memory under steady load for this many minutes, no other rows. */
    soak: { type: 'string' },
    /** A separate mode: the store filled in steps (100,000, 1,000,000, … --calls), each cost measured at each. */
    growth: { type: 'boolean', default: false },
    /** With --growth: the days the seeded calls span (28 by default, as npm run seed). */
    days: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

if (values.store !== 'sqlite' && values.store !== 'postgresql')
  fail(`--store must be sqlite or postgresql, not ${values.store}`);
export const STORE: Provider = values.store;

export const SOAK_MINUTES = values.soak === undefined ? null : Number(values.soak);
if (SOAK_MINUTES !== null && !(Number.isInteger(SOAK_MINUTES) && SOAK_MINUTES >= 1))
  fail(`--soak takes whole minutes (1 or more), not ${values.soak}`);

export const GROWTH = values.growth;
if (GROWTH && SOAK_MINUTES !== null) fail('--growth and --soak are separate runs');

export const DAYS = Number(values.days ?? 28);
if (!(Number.isInteger(DAYS) && DAYS >= 1)) fail(`--days must be a whole number of days, not ${values.days}`);
if (values.days !== undefined && !GROWTH) fail('--days is for --growth');

export const QUICK = values.quick;
export const BUILD = !values['no-build'];
/** Calls seeded for the rows "with history"; a soak runs on an empty store unless --calls is given. */
export const STORED = Number(values.calls ?? (SOAK_MINUTES !== null ? 0 : QUICK ? 100_000 : 1_000_000));
if (!Number.isInteger(STORED) || STORED < (SOAK_MINUTES !== null ? 0 : 1))
  fail(`--calls must be a whole number${SOAK_MINUTES !== null ? '' : ' of 1 or more'}, not ${values.calls}`);
export const REDIS_URL = values['redis-url'];
if (REDIS_URL !== undefined && STORE !== 'postgresql')
  fail('--redis-url is for two instances, which need --store postgresql');
export const NO_PURGE = values['no-purge'];

/** Each load run's length, and how many interleaved pairs of runs make a row. */
export const LOAD_SECONDS = QUICK ? 2 : 4;
export const ROUNDS = QUICK ? 3 : 5;
export const LIVE_SECONDS = QUICK ? 3 : 6;
