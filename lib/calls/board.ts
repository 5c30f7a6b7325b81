// The dashboard's state and how live updates change it. Pure: the browser runs it, tests prove it.
import { addTally, emptyTally } from './tally';
import { MAX_POINTS } from './series';
import type { CallRow, CallUpdate, SeriesPoint, Snapshot, Tally } from './types';

export interface Board {
  /** The snapshot's id: every change up to it is in the board already. It does not move with
   * live updates, which may arrive out of id order (another instance's, through the fan-out). */
  asOfEventId: number;
  totals: Tally;
  bucketMs: number;
  series: SeriesPoint[];
  calls: CallRow[];
  maxRows: number;
}

export function boardFromSnapshot(s: Snapshot, maxRows: number): Board {
  return {
    asOfEventId: s.asOfEventId,
    totals: s.totals,
    bucketMs: s.bucketMs,
    series: s.series,
    calls: s.calls.slice(0, maxRows),
    maxRows,
  };
}

function newestFirst(a: CallRow, b: CallRow): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  return b.eventId - a.eventId;
}

/** Applies updates newer than the board; updates it already reflects change nothing. */
export function applyUpdates(board: Board, updates: CallUpdate[]): Board {
  const fresh = updates.filter((u) => u.id > board.asOfEventId);
  if (fresh.length === 0) return board;

  const totals = addTally(emptyTally(), board.totals);
  const points = new Map(board.series.map((p) => [p.t, { t: p.t, tally: addTally(emptyTally(), p.tally) }]));
  const rows = new Map(board.calls.map((c) => [c.callSid, c]));

  for (const u of fresh) {
    for (const c of u.changes) {
      addTally(totals, c.delta);
      const t = Math.floor(c.bucket / board.bucketMs) * board.bucketMs;
      const point = points.get(t) ?? { t, tally: emptyTally() };
      addTally(point.tally, c.delta);
      points.set(t, point);
    }
    const known = rows.get(u.call.callSid);
    if (!known || known.eventId < u.call.eventId) rows.set(u.call.callSid, u.call);
  }

  const series = [...points.values()].sort((a, b) => a.t - b.t).slice(-MAX_POINTS);
  const calls = [...rows.values()].sort(newestFirst).slice(0, board.maxRows);
  return { ...board, totals, series, calls };
}
