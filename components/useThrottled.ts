'use client';
import { startTransition, useEffect, useRef, useState } from 'react';

/** `value`, but changing at most once per `ms`, with the latest value always shown in the end. */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const timer = setTimeout(
      () => {
        last.current = Date.now();
        // A transition: React renders it in slices that yield to input and to the next frame.
        startTransition(() => setShown(value));
      },
      Math.max(0, last.current + ms - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
