// The dashboard's state and how live updates change it. Pure: the browser runs it, tests prove it.
import { addPoint, addTally, contribution, emptyPoint, emptyTally } from './tally';
import { MAX_POINTS } from './series';
import { matches } from './filter';
import type { CallFacts, CallRow, CallUpdate, Snapshot, Tally } from './types';

/**
 * A snapshot with the live updates since applied. Its `asOfEventId` stays the snapshot's: every
 * change up to it is in the board already, and it does not move with live updates, which may
 * arrive out of id order (another instance's, through the fan-out).
 */
export interface Board extends Snapshot {
  /** The most calls its table keeps. */
  maxRows: number;
}

export function boardFromSnapshot(s: Snapshot, maxRows: number): Board {
  return {
    asOfEventId: s.asOfEventId,
    settings: s.settings,
    filter: s.filter,
    totals: s.totals,
    bucketMs: s.bucketMs,
    series: s.series,
    calls: s.calls.slice(0, maxRows),
    lines: s.lines,
    purged: s.purged ?? null,
    maxRows,
  };
}

function newestFirst(a: CallRow, b: CallRow): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  return b.eventId - a.eventId;
}

const copy = (t: Tally) => addTally(emptyTally(), t);

/**
 * Applies updates newer than the board; updates it already reflects change nothing. Each takes the
 * call's old contribution out and adds its new one, wherever the board's filter counts them, so
 * a call that moves out of a status filter, say, leaves the totals as it leaves the table.
 */
export function applyUpdates(board: Board, updates: CallUpdate[]): Board {
  const fresh = updates.filter((u) => u.id > board.asOfEventId);
  if (fresh.length === 0) return board;
  const { filter, bucketMs } = board;
  const limits = board.settings.mosLimits;

  const totals = copy(board.totals);
  const points = new Map(board.series.map((p) => [p.t, { t: p.t, tally: addPoint(emptyPoint(), p.tally) }]));
  const lines = new Map(board.lines.map((l) => [l.line, { ...l, tally: copy(l.tally) }]));
  const rows = new Map(board.calls.map((c) => [c.callSid, c]));

  const count = (c: CallFacts, sign: 1 | -1) => {
    const delta = contribution(c, limits);
    if (matches(c, filter)) {
      addTally(totals, delta, sign);
      const start = Math.floor(Date.parse(c.startedAt) / 60_000) * 60_000;
      const t = filter.from + Math.floor((start - filter.from) / bucketMs) * bucketMs;
      const point = points.get(t) ?? { t, tally: emptyPoint() };
      addPoint(point.tally, delta, sign);
      points.set(t, point);
    }
    if (matches(c, filter, true)) {
      const key = c.to ?? '';
      const line = lines.get(key) ?? { line: key, tally: emptyTally(), lastCallAt: null };
      addTally(line.tally, delta, sign);
      lines.set(key, line);
    }
  };

  for (const u of fresh) {
    if (u.before) count(u.before, -1);
    count(u.call, 1);
    // A line's last call, among the calls the table counts (its direction, status, caller).
    const line = matches(u.call, filter, true) ? lines.get(u.call.to ?? '') : undefined;
    if (line) line.lastCallAt = Math.max(line.lastCallAt ?? 0, Date.parse(u.call.startedAt));
    const known = rows.get(u.call.callSid);
    if (!known || known.eventId < u.call.eventId) {
      if (matches(u.call, filter)) rows.set(u.call.callSid, u.call);
      else rows.delete(u.call.callSid);
    }
  }

  const series = [...points.values()]
    .filter((p) => p.tally.calls !== 0 || p.tally.durationSum !== 0)
    .sort((a, b) => a.t - b.t)
    .slice(-MAX_POINTS);
  const calls = [...rows.values()].sort(newestFirst).slice(0, board.maxRows);
  return {
    ...board,
    totals,
    series,
    calls,
    lines: [...lines.values()]
      .filter((l) => l.tally.calls !== 0)
      .sort((a, b) => b.tally.calls - a.tally.calls),
  };
}
