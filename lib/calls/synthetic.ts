// Realistic callbacks for demos, seeding and benchmarks: several lines, mostly completed calls,
// some failures, a spread of durations and a MOS distribution with a tail of bad audio.
import { randomUUID } from 'node:crypto';

const DEMO_LINES = ['+18005550100', '+18005550111', '+18005550122', '+18005550133'];
const AREAS = ['212', '312', '415', '617', '713', '206', '305', '503'];

type Random = () => number;

function pick<T>(xs: readonly T[], r: Random): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function mos(r: Random): string {
  const x = r();
  const v = x < 0.7 ? 4.2 + r() * 0.3 : x < 0.92 ? 3.6 + r() * 0.6 : 1.5 + r() * 2;
  return v.toFixed(2);
}

/** The form fields of one finished call, as the provider would send them. */
export function syntheticCallback(
  at: Date,
  r: Random = Math.random,
  accountSid = 'demo-account',
): Record<string, string> {
  const outcome = r();
  const status =
    outcome < 0.88 ? 'completed' : outcome < 0.93 ? 'no-answer' : outcome < 0.97 ? 'busy' : 'failed';
  const fields: Record<string, string> = {
    CallSid: randomUUID(),
    AccountSid: accountSid,
    From: `+1${pick(AREAS, r)}555${String(Math.floor(r() * 10000)).padStart(4, '0')}`,
    To: pick(DEMO_LINES, r),
    Timestamp: at.toUTCString().replace('GMT', '+0000'),
    CallStatus: status,
    CallDuration: status === 'completed' ? String(Math.round(15 + r() ** 2 * 1200)) : '0',
  };
  if (status === 'completed' && r() < 0.95) fields.AudioInMos = mos(r);
  return fields;
}
