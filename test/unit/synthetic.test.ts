import { describe, expect, it } from 'vitest';
import { validateCallback } from '@/lib/callbacks/schema';
import { callStateFields } from '@/lib/callbacks/call-state';
import {
  callStateEvents,
  finalCallback,
  SIP_CODES,
  statusCallbacks,
  syntheticCall,
  syntheticCallback,
  type SyntheticCall,
  type SyntheticLeg,
} from '@/lib/calls/synthetic';

/** A small seeded generator, so every run draws the same calls. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AT = new Date('2024-04-04T18:32:15.000Z');
const N = 3000;

function draw(seed = 1, n = N): SyntheticCall[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => syntheticCall(new Date(AT.getTime() - i * 7_000), r, 'acct-1'));
}

const calls = draw();
const allLegs = (c: SyntheticCall): SyntheticLeg[] => [c.parent, ...c.legs];
const AUDIO = [
  'AudioInMos',
  'AudioInPacketCount',
  'AudioInMediaPacketCount',
  'AudioInSkipPacketCount',
  'AudioInFlushPacketCount',
  'AudioInJitterMinVariance',
  'AudioInJitterMaxVariance',
  'AudioInLargestJbSize',
  'AudioInAveragePtime',
];

function valid(fields: Record<string, string>) {
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(`${v.message} in ${JSON.stringify(fields)}`);
  expect(v.callback.dropped, JSON.stringify(fields)).toEqual([]);
  return v.callback;
}

describe('syntheticCallback', () => {
  it('is the inbound call’s final callback, with the full field set, and validates', () => {
    const r = mulberry32(7);
    for (let i = 0; i < 500; i++) {
      const f = syntheticCallback(AT, r, 'acct-1');
      const cb = valid(f);
      expect(cb.accountSid).toBe('acct-1');
      expect(f.Direction).toBe('inbound');
      expect(f.Timestamp).toBe('Thu, 04 Apr 2024 18:32:15 +0000');
      expect(f.ParentCallSid).toBeUndefined();
      expect(f).toMatchObject({ ApiVersion: '2010-04-01', CallbackSource: 'call-progress-events' });
      for (const k of ['CallDuration', 'SipResultCode', 'SequenceNumber', 'From', 'To'])
        expect(f[k]).toBeDefined();
      if (f.CallStatus === 'completed' && f.AudioInMos)
        for (const k of AUDIO) expect(f[k]).toMatch(/^\d+(\.\d+)?$/);
    }
  });

  it('works without a random source or an account', () => {
    expect(validateCallback(syntheticCallback(AT)).ok).toBe(true);
  });
});

describe('syntheticCall', () => {
  it('draws every outcome, canceled among them, with its SIP codes', () => {
    const parents = calls.map((c) => c.parent);
    const share = (s: string) => parents.filter((p) => p.status === s).length / parents.length;
    expect(share('completed')).toBeGreaterThan(0.8);
    for (const s of ['busy', 'no-answer', 'canceled', 'failed']) expect(share(s)).toBeGreaterThan(0.01);
    const seen = new Map<string, Set<string>>();
    for (const l of calls.flatMap(allLegs)) {
      const f = finalCallback(l);
      expect(SIP_CODES[l.status]).toContain(f.SipResultCode);
      if (!seen.has(l.status)) seen.set(l.status, new Set());
      seen.get(l.status)!.add(f.SipResultCode!);
    }
    expect([...seen.get('no-answer')!].sort()).toEqual(['408', '480']);
    expect([...seen.get('failed')!].sort()).toEqual(['404', '500', '503', '603']);
    expect([...seen.get('busy')!]).toEqual(['486']);
    expect([...seen.get('canceled')!]).toEqual(['487']);
    expect([...seen.get('completed')!]).toEqual(['200']);
  });

  it('forwards about 15% of the completed inbound calls to an agent on a child leg', () => {
    const completed = calls.filter((c) => c.parent.status === 'completed');
    const forwarded = completed.filter((c) => c.legs.length > 0);
    expect(forwarded.length / completed.length).toBeGreaterThan(0.1);
    expect(forwarded.length / completed.length).toBeLessThan(0.2);
    expect(
      calls.every((c) => c.legs.length <= 1 && (c.legs.length === 0 || c.parent.status === 'completed')),
    ).toBe(true);
    for (const { parent, legs } of forwarded) {
      const leg = legs[0]!;
      const f = finalCallback(leg);
      expect(f.ParentCallSid).toBe(parent.callSid);
      expect(f.CallSid).not.toBe(parent.callSid);
      expect(f.Direction).toBe('outbound-dial');
      expect([parent.from, parent.to]).toContain(f.From);
      expect(f.To).toMatch(/^\+1\d{3}55501\d{2}$/);
      // The leg lies within the inbound call, after its answer.
      expect(leg.createdAt).toBeGreaterThan(parent.answeredAt!);
      expect(leg.endedAt).toBeLessThanOrEqual(parent.endedAt);
    }
    expect(new Set(forwarded.map((c) => c.legs[0]!.status)).size).toBeGreaterThan(1);
  });

  it('ends the inbound call at the time asked for', () => {
    calls.forEach((c, i) => expect(c.parent.endedAt).toBe(AT.getTime() - i * 7_000));
  });

  it('reports audio on answered legs only, with packets and MOS that agree', () => {
    const stats: { loss: number; mos: number }[] = [];
    for (const l of calls.flatMap(allLegs)) {
      const f = finalCallback(l);
      if (l.status !== 'completed') {
        expect(f.CallDuration).toBe('0');
        for (const k of AUDIO) expect(f[k]).toBeUndefined();
        continue;
      }
      expect(Number(f.CallDuration)).toBe(Math.round((l.endedAt - l.answeredAt!) / 1000));
      if (!f.AudioInMos) continue;
      const media = Number(f.AudioInMediaPacketCount);
      const lost = Number(f.AudioInSkipPacketCount);
      expect(media + lost).toBe(Math.max(1, Math.round(l.duration * 50)));
      expect(Number(f.AudioInPacketCount)).toBeGreaterThanOrEqual(media);
      expect(Number(f.AudioInJitterMinVariance)).toBeLessThanOrEqual(Number(f.AudioInJitterMaxVariance));
      expect(f.AudioInAveragePtime).toBe('20');
      const mos = Number(f.AudioInMos);
      expect(mos).toBeGreaterThanOrEqual(1);
      expect(mos).toBeLessThanOrEqual(4.5);
      stats.push({ loss: (100 * lost) / (media + lost), mos });
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const clean = stats.filter((s) => s.loss < 0.5);
    const lossy = stats.filter((s) => s.loss > 3);
    // Mostly clean audio, a few calls with real loss, and those score worse.
    expect(clean.length / stats.length).toBeGreaterThan(0.7);
    expect(lossy.length).toBeGreaterThan(0);
    expect(lossy.length / stats.length).toBeLessThan(0.08);
    expect(mean(lossy.map((s) => s.mos))).toBeLessThan(mean(clean.map((s) => s.mos)) - 0.2);
    // A few completed calls report no audio at all.
    expect(calls.some((c) => c.parent.status === 'completed' && !finalCallback(c.parent).AudioInMos)).toBe(
      true,
    );
  });
});

describe('statusCallbacks', () => {
  it('sends every event of every leg, each valid, numbered 0.. per CallSid, one final each', () => {
    for (const call of calls) {
      const cbs = statusCallbacks(call);
      const bySid = new Map<string, Record<string, string>[]>();
      for (const f of cbs) {
        const cb = valid(f);
        if (!bySid.has(cb.callSid)) bySid.set(cb.callSid, []);
        bySid.get(cb.callSid)!.push(f);
      }
      expect([...bySid.keys()]).toEqual(allLegs(call).map((l) => l.callSid));
      for (const l of allLegs(call)) {
        const events = bySid.get(l.callSid)!;
        expect(events.map((f) => f.SequenceNumber)).toEqual(events.map((_, i) => String(i)));
        expect(events.map((f) => f.CallStatus)).toEqual(
          l.answeredAt !== null
            ? ['initiated', 'ringing', 'in-progress', l.status]
            : ['initiated', 'ringing', l.status],
        );
        expect(events.at(-1)).toEqual(finalCallback(l));
        for (const f of events.slice(0, -1)) {
          expect(f.CallDuration).toBeUndefined();
          expect(f.AudioInMos).toBeUndefined();
        }
      }
      // In time order across the legs.
      const times = cbs.map((f) => Date.parse(f.Timestamp!));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});

describe('callStateEvents', () => {
  it('reads, through the webhook’s call-state reader, as the same call', () => {
    for (const call of calls) {
      const bodies = callStateEvents(call, { spaceId: 'space-1' });
      const bySid = new Map<string, Record<string, string>[]>();
      for (const body of bodies) {
        expect(body).toMatchObject({
          event_type: 'calling.call.state',
          project_id: 'acct-1',
          space_id: 'space-1',
        });
        // As sent: JSON text, read back.
        const fields = callStateFields(JSON.parse(JSON.stringify(body)));
        expect(fields).not.toBeNull();
        const cb = valid(fields!);
        if (!bySid.has(cb.callSid)) bySid.set(cb.callSid, []);
        bySid.get(cb.callSid)!.push(fields!);
      }
      for (const l of allLegs(call)) {
        const events = bySid.get(l.callSid)!;
        const statuses = events.map((f) => f.CallStatus);
        if (l.answeredAt !== null) {
          // `ending` reads as in-progress; the webhook acknowledges it without storing it.
          expect(statuses).toEqual(['initiated', 'ringing', 'in-progress', 'in-progress', 'completed']);
          expect(events.map((f) => f['params.call_state'])).toEqual([
            'created',
            'ringing',
            'answered',
            'ending',
            'ended',
          ]);
        } else {
          expect(statuses).toEqual(['initiated', 'ringing', l.status]);
        }
        const ended = events.at(-1)!;
        const answer = Number(ended['params.answer_time']);
        const end = Number(ended['params.end_time']);
        expect(ended.CallDuration).toBe(
          l.answeredAt !== null ? String(Math.round((end - answer) / 1000)) : '0',
        );
        // The same call as the cXML callbacks report it.
        const final = finalCallback(l);
        expect(ended.CallDuration).toBe(final.CallDuration);
        expect(Date.parse(ended.Timestamp!)).toBe(l.endedAt);
        expect([ended.From, ended.To]).toEqual([final.From, final.To]);
        if (l.parentCallSid === null) {
          expect(ended.Direction).toBe('inbound');
          expect(ended.ParentCallSid).toBeUndefined();
        } else {
          expect(ended.Direction).toBe('outbound');
          expect(ended.ParentCallSid).toBe(call.parent.callSid);
          // The parent's node, as the inbound call's own events name it.
          expect(ended['params.parent.node_id']).toBe(bySid.get(call.parent.callSid)![0]!['params.node_id']);
          expect(ended['params.parent.device_type']).toBe('phone');
        }
      }
    }
  });

  it('gives the end reasons SignalWire uses', () => {
    const reasons = new Map<string, Set<string>>();
    for (const call of calls)
      for (const body of callStateEvents(call)) {
        if (body.params.call_state !== 'ended') continue;
        const leg = allLegs(call).find((l) => l.callSid === body.params.call_id)!;
        if (!reasons.has(leg.status)) reasons.set(leg.status, new Set());
        reasons.get(leg.status)!.add(body.params.end_reason!);
      }
    expect(Object.fromEntries([...reasons].map(([k, v]) => [k, [...v]]))).toEqual({
      completed: ['hangup'],
      busy: ['busy'],
      'no-answer': ['noAnswer'],
      canceled: ['cancel'],
      failed: ['error'],
    });
  });
});
