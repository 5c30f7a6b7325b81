'use client';
import { useEffect, useRef } from 'react';
import type { Metric } from '@/lib/common/settings';
import { newlyBreached } from '@/lib/common/thresholds';

/** Two short tones: noticeable across a room, not alarming. Web Audio, so no sound file to serve. */
function beep() {
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
