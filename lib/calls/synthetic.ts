// Realistic calls for demos, seeding, benchmarks and the simulator, with the fields SignalWire
// sends: several lines, mostly completed calls, some busy, unanswered, canceled and failed ones
// with their SIP codes, a spread of durations, the inbound audio counters with a MOS that follows
// the packet loss and jitter, and a share of calls forwarded to an agent on a child leg (<Dial>).
// One call is drawn once (syntheticCall) and then written either as cXML status callbacks
// (statusCallbacks, finalCallback) or as SWML call-state events (callStateEvents).
import { randomUUID } from 'node:crypto';

const DEMO_LINES = ['+18005550100', '+18005550111', '+18005550122', '+18005550133'];
const AREAS = ['212', '312', '415', '617', '713', '206', '305', '503'];
/** The agents forwarded calls ring: 555-01xx numbers, which are reserved for fiction. */
const AGENTS = Array.from({ length: 12 }, (_, i) => `+1617555${String(110 + i).padStart(4, '0')}`);

/** A source of uniform numbers in [0, 1), as Math.random. */
export type Random = () => number;
export type Fields = Record<string, string>;

export const FINAL_STATUSES = ['completed', 'busy', 'no-answer', 'canceled', 'failed'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** The SIP final responses each outcome is reported with (SipResultCode). */
export const SIP_CODES: Record<FinalStatus, readonly string[]> = {
  completed: ['200'],
  busy: ['486'],
  'no-answer': ['480', '408'],
  canceled: ['487'],
  failed: ['404', '503', '500', '603'],
};

/** How a call-state `ended` event names an unanswered call's outcome (answered calls: hangup). */
const END_REASONS: Record<FinalStatus, string> = {
  completed: 'hangup',
  busy: 'busy',
  'no-answer': 'noAnswer',
  canceled: 'cancel',
  failed: 'error',
};

/** One leg of a call: who called whom, how it went, and when (epoch milliseconds). */
export interface SyntheticLeg {
  accountSid: string;
  callSid: string;
  /** The inbound call this leg was dialed from; null for the inbound call itself. */
  parentCallSid: string | null;
  direction: 'inbound' | 'outbound-dial';
  from: string;
  to: string;
  status: FinalStatus;
  sipResultCode: string;
  createdAt: number;
  ringingAt: number;
  answeredAt: number | null;
  endedAt: number;
  /** Talk time in whole seconds, from the answer to the end, as CallDuration reports it. */
  duration: number;
  /** AudioInMos and the inbound audio counters; null when the leg carried no audio. */
  audio: Fields | null;
}

export interface SyntheticCall {
  /** The inbound call to one of the lines. */
  parent: SyntheticLeg;
  /** The legs it was forwarded to: none for most calls, one for a forwarded one. */
  legs: SyntheticLeg[];
}

const pick = <T>(xs: readonly T[], r: Random): T => xs[Math.floor(r() * xs.length)]!;
const between = (min: number, max: number, r: Random) => min + r() * (max - min);

/** "Thu, 04 Apr 2024 18:32:15 +0000", as SignalWire stamps its callbacks. */
export const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

/**
 * What the media server counted on a leg's inbound audio over `seconds` of talk: ~50 packets a
 * second at 20 ms, mostly well under 0.5% lost, a tail at 1-3% and a few calls above that; jitter
 * mostly 2-20 ms with a tail at 30-80 ms. The MOS is the E-model's, with R lowered by twice the
 * loss and by jitter beyond 20 ms, capped at 4.5: a call with bad audio gets a bad score.
 */
export function audioStats(seconds: number, r: Random = Math.random): Fields {
  const x = r();
  const lossPct =
    x < 0.8 ? r() * 0.5 : x < 0.9 ? between(0.5, 1, r) : x < 0.97 ? between(1, 3, r) : between(3, 20, r);
  const jitterTail = r() < (lossPct > 1 ? 0.5 : 0.1);
  const jitterMax = jitterTail ? between(30, 80, r) : between(2, 20, r);
  const jitterMin = r() * Math.min(1, jitterMax / 4);
  const expected = Math.max(1, Math.round(seconds * 50));
  const lost = Math.round((expected * lossPct) / 100);
  const media = expected - lost;
  // Besides the voice: DTMF and comfort-noise packets.
  const packets = media + Math.floor(r() * 8);
  const flushes = jitterTail ? 1 + Math.floor(r() * Math.max(1, seconds / 30)) : r() < 0.85 ? 0 : 1;
  const R = 100 - 2 * lossPct - Math.max(0, jitterMax - 20) * 0.2;
  const mos = Math.max(1, Math.min(4.5, 1 + 0.035 * R + 0.000007 * R * (R - 60) * (100 - R)));
  return {
    AudioInMos: mos.toFixed(2),
    AudioInPacketCount: String(packets),
    AudioInMediaPacketCount: String(media),
    AudioInSkipPacketCount: String(lost),
    AudioInFlushPacketCount: String(flushes),
    AudioInJitterMinVariance: jitterMin.toFixed(2),
    AudioInJitterMaxVariance: jitterMax.toFixed(2),
    // The jitter buffer grows in whole packets to hold the worst jitter seen.
    AudioInLargestJbSize: String(20 * Math.ceil(jitterMax / 20 + 1)),
    AudioInAveragePtime: '20',
  };
}

/** An inbound call's outcome: mostly completed, a few of each failure. */
function inboundStatus(r: Random): FinalStatus {
  const x = r();
  return x < 0.86
    ? 'completed'
    : x < 0.91
      ? 'no-answer'
      : x < 0.945
        ? 'busy'
        : x < 0.975
          ? 'canceled'
          : 'failed';
}

/** How long an unanswered leg rang before it ended, in ms. */
function ringTime(status: FinalStatus, r: Random): number {
  switch (status) {
    case 'no-answer':
      return between(20_000, 40_000, r);
    case 'canceled':
      // The caller gave up.
      return between(2_000, 25_000, r);
    case 'busy':
      return between(300, 2_000, r);
    default:
      return between(100, 1_500, r);
  }
}

/** A talk time in seconds: many short calls, some long ones, up to about 20 minutes. */
const talkSeconds = (r: Random) => 15 + r() ** 2 * 1200;

interface Timeline {
  createdAt: number;
  ringingAt: number;
  answeredAt: number | null;
  endedAt: number;
}

/** A leg before its outcome's details are drawn. */
type LegBase = Omit<SyntheticLeg, 'sipResultCode' | 'duration' | 'audio' | keyof Timeline>;

function leg(base: LegBase, t: Timeline, r: Random, withAudio = true): SyntheticLeg {
  const answered = t.answeredAt !== null;
  const duration = answered ? Math.max(0, Math.round((t.endedAt - t.answeredAt!) / 1000)) : 0;
  return {
    ...base,
    ...t,
    sipResultCode: pick(SIP_CODES[base.status], r),
    duration,
    audio: answered && withAudio ? audioStats(duration, r) : null,
  };
}

/**
 * One inbound call that ended at `at`, with its legs: about 15% of the completed ones were
 * forwarded to an agent (<Dial>) on a child leg of their own.
 */
export function syntheticCall(at: Date, r: Random = Math.random, accountSid = 'demo-account'): SyntheticCall {
  const status = inboundStatus(r);
  const caller = `+1${pick(AREAS, r)}555${String(Math.floor(r() * 10000)).padStart(4, '0')}`;
  const line = pick(DEMO_LINES, r);
  const parentSid = randomUUID();
  // Built from 0, then moved so that the inbound call ends at `at`.
  const createdAt = 0;
  const ringingAt = createdAt + between(50, 400, r);
  let answeredAt: number | null = null;
  let endedAt: number;
  const legs: LegBase[] = [];
  const legTimes: Timeline[] = [];
  if (status !== 'completed') {
    endedAt = ringingAt + ringTime(status, r);
  } else {
    answeredAt = ringingAt + between(300, 3_000, r);
    if (r() < 0.15) {
      // Forwarded: a menu or a greeting, then the agent's phone rings on a child leg.
      const x = r();
      const legStatus: FinalStatus = x < 0.85 ? 'completed' : x < 0.95 ? 'no-answer' : 'busy';
      const c = answeredAt + between(3_000, 40_000, r);
      const ring = c + between(100, 800, r);
      const answer = legStatus === 'completed' ? ring + between(2_000, 20_000, r) : null;
      const end = answer !== null ? answer + talkSeconds(r) * 1000 : ring + ringTime(legStatus, r);
      legs.push({
        accountSid,
        callSid: randomUUID(),
        parentCallSid: parentSid,
        direction: 'outbound-dial',
        // The caller's number passed on, or the line's as the caller id.
        from: r() < 0.7 ? caller : line,
        to: pick(AGENTS, r),
        status: legStatus,
      });
      legTimes.push({ createdAt: c, ringingAt: ring, answeredAt: answer, endedAt: end });
      // The inbound call hangs up with the agent's, or goes on to voicemail when no one answered.
      endedAt = end + (answer !== null ? between(0, 1_500, r) : between(10_000, 90_000, r));
    } else {
      endedAt = answeredAt + talkSeconds(r) * 1000;
    }
  }
  // Now and then a completed call reports no audio, so the board's "no MOS" shows too.
  const withAudio = r() < 0.98;
  const shift = at.getTime() - Math.round(endedAt);
  const moved = (t: Timeline): Timeline => ({
    createdAt: Math.round(t.createdAt) + shift,
    ringingAt: Math.round(t.ringingAt) + shift,
    answeredAt: t.answeredAt === null ? null : Math.round(t.answeredAt) + shift,
    endedAt: Math.round(t.endedAt) + shift,
  });
  const parent = leg(
    {
      accountSid,
      callSid: parentSid,
      parentCallSid: null,
      direction: 'inbound',
      from: caller,
      to: line,
      status,
    },
    moved({ createdAt, ringingAt, answeredAt, endedAt }),
    r,
    withAudio,
  );
  return { parent, legs: legs.map((l, i) => leg(l, moved(legTimes[i]!), r)) };
}

/** The events a leg reports, in order: the cXML status and the call-state each stands for. */
function progress(l: SyntheticLeg) {
  const steps: { status: string; state: string; at: number }[] = [
    { status: 'initiated', state: 'created', at: l.createdAt },
    { status: 'ringing', state: 'ringing', at: l.ringingAt },
  ];
  if (l.answeredAt !== null) steps.push({ status: 'in-progress', state: 'answered', at: l.answeredAt });
  steps.push({ status: l.status, state: 'ended', at: l.endedAt });
  return steps;
}

/** The fields every status callback of a leg carries, whatever its status. */
function common(l: SyntheticLeg, status: string, at: number, sequence: number): Fields {
  const f: Fields = {
    AccountSid: l.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: l.callSid,
    CallStatus: status,
    Direction: l.direction,
    From: l.from,
    To: l.to,
    Timestamp: rfc2822(at),
    SequenceNumber: String(sequence),
    CallbackSource: 'call-progress-events',
  };
  if (l.parentCallSid !== null) f.ParentCallSid = l.parentCallSid;
  return f;
}

/**
 * A leg's final status callback: its status, CallDuration, SipResultCode and, when it carried
 * audio, AudioInMos and the audio counters. SequenceNumber counts the leg's events before it
 * (initiated 0, ringing 1, in-progress 2), as when every event is sent.
 */
export function finalCallback(l: SyntheticLeg): Fields {
  const sequence = l.answeredAt !== null ? 3 : 2;
  return {
    ...common(l, l.status, l.endedAt, sequence),
    CallDuration: String(l.duration),
    SipResultCode: l.sipResultCode,
    ...l.audio,
  };
}

/**
 * Every cXML status callback of a call, in the order they happen: for each leg initiated,
 * ringing, in-progress when answered, then its final one, with SequenceNumber 0, 1, 2, ...
 */
export function statusCallbacks(call: SyntheticCall): Fields[] {
  const events: { at: number; fields: Fields }[] = [];
  for (const l of [call.parent, ...call.legs]) {
    progress(l).forEach((step, i, steps) =>
      events.push({
        at: step.at,
        fields: i === steps.length - 1 ? finalCallback(l) : common(l, step.status, step.at, i),
      }),
    );
  }
  // Stable: a leg's events keep their order when two share a millisecond.
  return events.sort((a, b) => a.at - b.at).map((e) => e.fields);
}

/** The form fields of one finished inbound call, as the provider would send them. */
export function syntheticCallback(at: Date, r: Random = Math.random, accountSid = 'demo-account'): Fields {
  return finalCallback(syntheticCall(at, r, accountSid).parent);
}

/** A SignalWire `calling.call.state` event, as posted to a `call_state_url`. */
export interface CallStateEvent {
  event_type: 'calling.call.state';
  event_channel: string;
  /** Epoch seconds, with a fraction. */
  timestamp: number;
  project_id: string;
  space_id: string;
  params: {
    call_id: string;
    node_id: string;
    segment_id: string;
    tag: string;
    device: { type: 'phone'; params: { from_number: string; to_number: string } };
    parent?: { call_id: string; node_id: string; device_type: 'phone' };
    direction: 'inbound' | 'outbound';
    call_state: 'created' | 'ringing' | 'answered' | 'ending' | 'ended';
    /** Epoch milliseconds; 0 until known. */
    start_time: number;
    answer_time: number;
    end_time: number;
    end_reason?: string;
  };
}

/**
 * The call as SWML call-state events, in the order they happen: for each leg created, ringing,
 * answered, ending and ended, or created, ringing and ended with the `end_reason` (busy,
 * noAnswer, cancel, error) when it was never answered. A forwarded leg names its parent.
 */
export function callStateEvents(call: SyntheticCall, ids: { spaceId?: string } = {}): CallStateEvent[] {
  const spaceId = ids.spaceId ?? 'demo-space';
  const nodes = new Map<string, string>();
  const nodeOf = (sid: string) => {
    let n = nodes.get(sid);
    if (!n) nodes.set(sid, (n = randomUUID()));
    return n;
  };
  const events: { at: number; body: CallStateEvent }[] = [];
  for (const l of [call.parent, ...call.legs]) {
    const node = nodeOf(l.callSid);
    const segment = randomUUID();
    const tag = randomUUID();
    const steps = progress(l).map((s) => ({
      state: s.state as CallStateEvent['params']['call_state'],
      at: s.at,
    }));
    if (l.answeredAt !== null) {
      // Hanging up takes a moment: `ending`, then `ended`.
      steps.splice(steps.length - 1, 0, {
        state: 'ending',
        at: l.endedAt - Math.min(200, l.endedAt - l.answeredAt),
      });
    }
    for (const { state, at } of steps) {
      const over = state === 'ending' || state === 'ended';
      const answered = l.answeredAt !== null && at >= l.answeredAt;
      events.push({
        at,
        body: {
          event_type: 'calling.call.state',
          event_channel: `swml:${l.accountSid}`,
          timestamp: Number((at / 1000).toFixed(6)),
          project_id: l.accountSid,
          space_id: spaceId,
          params: {
            call_id: l.callSid,
            node_id: node,
            segment_id: segment,
            tag,
            device: { type: 'phone', params: { from_number: l.from, to_number: l.to } },
            ...(l.parentCallSid !== null
              ? {
                  parent: {
                    call_id: l.parentCallSid,
                    node_id: nodeOf(l.parentCallSid),
                    device_type: 'phone' as const,
                  },
                }
              : {}),
            direction: l.direction === 'inbound' ? 'inbound' : 'outbound',
            call_state: state,
            start_time: l.createdAt,
            answer_time: answered ? l.answeredAt! : 0,
            end_time: state === 'ended' ? l.endedAt : 0,
            ...(over ? { end_reason: END_REASONS[l.status] } : {}),
          },
        },
      });
    }
  }
  return events.sort((a, b) => a.at - b.at).map((e) => e.body);
}
