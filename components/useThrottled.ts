'use client';
import { startTransition, useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `ms`, with the latest value always shown in the end.
 * `offset` shifts the schedule, so two throttled parts of a page do not update in the same frame.
 */
export function useThrottled<T>(value: T, ms: number, offset = 0): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (last.current === 0) last.current = Date.now() - ms + offset;
    const timer = setTimeout(
      () => {
        last.current = Date.now();
        // A transition: React renders it in slices that yield to input and to the next frame.
        startTransition(() => setShown(value));
      },
      Math.max(0, last.current + ms - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [value, ms, offset]);
  return shown;
}
