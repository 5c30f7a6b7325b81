'use client';
import { useEffect, useRef } from 'react';
import type { Metric } from '@/lib/common/settings';
import { newlyBreached } from '@/lib/common/thresholds';
import type { BoardAlert } from './useOpenAlerts';

declare global {
  interface Window {
    /** Beeps this page has played: tests read it (headless browsers have no sound to hear). */
    __wallboardBeeps?: number;
  }
}

/** How often an open alert that nobody has acknowledged sounds again. */
const ALERT_REPEAT_MS = 120_000;

/** Two short tones: noticeable across a room, not alarming. Web Audio, so no sound file to serve. */
function beep() {
  window.__wallboardBeeps = (window.__wallboardBeeps ?? 0) + 1;
  try {
    const ctx = new AudioContext();
    [0, 0.25].forEach((offset, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = i === 0 ? 880 : 660;
      gain.gain.setValueAtTime(0.2, ctx.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + offset + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + offset);
      osc.stop(ctx.currentTime + offset + 0.2);
    });
    setTimeout(() => void ctx.close(), 1000);
  } catch {
    // No audio device, or the browser refuses sound before a click: the tile still shows it.
  }
}

/**
 * Sounds once when a metric crosses its threshold (not while it stays over, and not for what
 * was already over when the board opened or its filter changed). `onAlert` is told each time.
 */
export function useAlertSound(
  breached: Set<Metric>,
  sound: boolean,
  scope: string,
  onAlert: (metrics: Metric[]) => void,
) {
  const previous = useRef<{ scope: string; set: Set<Metric> } | null>(null);
  const key = [...breached].sort().join(',');
  useEffect(() => {
    const before = previous.current;
    previous.current = { scope, set: breached };
    if (!before || before.scope !== scope) return;
    const crossed = newlyBreached(before.set, breached);
    if (crossed.length === 0) return;
    onAlert(crossed);
    if (sound) beep();
    // key and scope stand for breached and the filter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, scope]);
}

/**
 * The room sound of the server's alerts, while `sound` is on: a beep when an open, unacknowledged
 * alert appears that this screen has not beeped for, and again every 2 minutes while any open
 * alert stays unacknowledged. Silent once each is acknowledged (on any screen) or resolved.
 * Returns whether it is sounding.
 */
export function useOpenAlertSound(alerts: readonly BoardAlert[], sound: boolean): boolean {
  const unacknowledged = alerts.filter((a) => a.open && a.acknowledgedAt === null).map((a) => a.id);
  const sounding = sound && unacknowledged.length > 0;
  const beeped = useRef(new Set<string>());
  const lastBeep = useRef(0);
  const key = unacknowledged.join(',');

  useEffect(() => {
    // Muted, an alert is not beeped for: turning the sound on sounds it.
    if (!sound) return;
    const fresh = unacknowledged.some((id) => !beeped.current.has(id));
    // Acknowledged and resolved alerts never come back unacknowledged: forget them.
    beeped.current = new Set(unacknowledged);
    if (!fresh) return;
    lastBeep.current = Date.now();
    beep();
    // key stands for the unacknowledged alerts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, sound]);

  // After the effect above, so a beep for a new alert starts the 2 minutes afresh.
  useEffect(() => {
    if (!sounding) return;
    let timer: ReturnType<typeof setTimeout>;
    const wait = () => {
      timer = setTimeout(
        () => {
          if (Date.now() - lastBeep.current >= ALERT_REPEAT_MS) {
            lastBeep.current = Date.now();
            beep();
          }
          wait();
        },
        Math.max(0, lastBeep.current + ALERT_REPEAT_MS - Date.now()),
      );
    };
    wait();
    return () => clearTimeout(timer);
  }, [sounding]);

  return sounding;
}
