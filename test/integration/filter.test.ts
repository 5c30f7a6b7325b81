// The board's filter exists twice: in SQL (callConditions: snapshots, counts by status or caller,
// exports) and in the browser (matches: live updates). Over random calls stored through the real
// ingest and random filters, both must pick exactly the same calls, or a board would drift from
// what a reload shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { sqltag as sql } from '@prisma/client/runtime/client';
import type { Database } from '@/lib/db/client';
import { Ingestor } from '@/lib/calls/ingest/queue';
import { createQueries, type Queries } from '@/lib/calls/queries';
import { callConditions } from '@/lib/calls/aggregate';
import { matches, normalizeCaller, type BoardFilter } from '@/lib/common/filter';
import { toRow } from '@/lib/calls/rows';
import { validateCallback } from '@/lib/callbacks/schema';
import { CALL_STATUSES, type Direction } from '@/lib/common/status';
import { openTestDatabase } from '../helpers/db';

const ROWS = 50;
const LINES = ['+18005550100', '+18005550111'];
const T0 = Date.UTC(2026, 0, 1, 9);
const SPAN_MS = 3 * 3_600_000;

let db: Database;
let ingest: Ingestor;
let queries: Queries;

beforeAll(async () => {
  db = await openTestDatabase();
  ingest = new Ingestor(db, { queueLimit: 10_000, batchSize: 16, publish: () => {} });
  queries = createQueries(db, ROWS);
});
afterAll(() => db.close());

const call = fc.record({
  statuses: fc.array(fc.constantFrom(...CALL_STATUSES), { minLength: 1, maxLength: 2 }),
  // Few digits, so that searches often hit; and callers a search cannot read as a number.
  from: fc.option(
    fc.oneof(
      fc.stringMatching(/^\+?1?[0-3]{2,5}$/),
      fc.constantFrom('Anonymous', 'sip:a_b%c@x', '(021) 33-1'),
    ),
    { nil: undefined },
  ),
  to: fc.option(fc.constantFrom(...LINES), { nil: undefined }),
  // Milliseconds apart, so range bounds fall between, on and beside calls. Without a Timestamp a
  // call starts when it is received.
  at: fc.option(fc.integer({ min: 0, max: SPAN_MS }), { nil: undefined }),
  // Inbound calls, the legs of forwarded ones and calls placed by the center.
  leg: fc.constantFrom('none', 'parent', 'outbound-dial', 'outbound-api'),
});

/** Each condition: left out, taken from one stored call (the anchor), or now and then any value. */
const condition = <A, V>(anchored: fc.Arbitrary<A>, any: fc.Arbitrary<V>) =>
  fc.oneof(
    { arbitrary: fc.constant(null), weight: 2 },
    { arbitrary: anchored.map((a) => ({ anchored: a })), weight: 2 },
    { arbitrary: any.map((v) => ({ any: v })), weight: 1 },
  );

/** Exactly on the anchor's start most often, else 1 ms either side, else `wide` ms away. */
const edgeOr = (wide: number) =>
  fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.constantFrom(-1, 1), fc.constant(wide));

// Conditions taken from one stored call select that call (and its like) unless another condition
// leaves it out: filters select something more often than not.
const filterSpec = fc.record({
  anchor: fc.nat(),
  // On or 1 ms beside the anchor's start (either side of an inclusive start and an exclusive end),
  // a minute around it, or anywhere in the span.
  from: condition(edgeOr(-60_000), fc.integer({ min: -60_000, max: SPAN_MS + 60_000 })),
  to: condition(edgeOr(60_000), fc.integer({ min: -60_000, max: SPAN_MS + 60_000 })),
  line: condition(fc.constant(true), fc.constantFrom(...LINES, '', '+18005550199')),
  status: condition(fc.constant(true), fc.constantFrom(...CALL_STATUSES)),
  // Part of the anchor's caller (the usual search, possibly empty), or any digits.
  caller: condition(
    fc.record({ start: fc.nat(), length: fc.integer({ min: 0, max: 4 }) }),
    fc.stringMatching(/^\+?[0-3]{0,3}$/),
  ),
  direction: condition(fc.constant(true), fc.constantFrom('inbound', 'outbound-dial', 'outbound-api')),
  // A few rows (the board's limit cuts the list) or all of them.
  rows: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(ROWS)),
});

async function emptyStore() {
  await db.write.$transaction([
    db.write.callEvent.deleteMany(),
    db.write.call.deleteMany(),
    db.write.rollup.deleteMany(),
    db.write.failureRollup.deleteMany(),
    db.write.line.deleteMany(),
  ]);
}

describe('the board filter', () => {
  it('selects the same calls in SQL as in the browser', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(call, { minLength: 1, maxLength: 40, size: 'max' }),
        filterSpec,
        async (spec, fs) => {
          await emptyStore();
          await Promise.all(
            spec.flatMap((c) => {
              const CallSid = randomUUID();
              return c.statuses.map((CallStatus, i) => {
                const v = validateCallback({
                  CallSid,
                  CallStatus,
                  ...(c.from !== undefined ? { From: c.from } : {}),
                  ...(c.to !== undefined ? { To: c.to } : {}),
                  ...(c.at !== undefined ? { Timestamp: new Date(T0 + c.at + i * 1_000).toISOString() } : {}),
                  ...(c.leg === 'parent' ? { ParentCallSid: 'CA-parent' } : {}),
                  ...(c.leg === 'outbound-dial' || c.leg === 'outbound-api' ? { Direction: c.leg } : {}),
                });
                if (!v.ok) throw new Error(v.message);
                return ingest.submit(v.callback);
              });
            }),
          );
          // What the board is sent: the stored calls as rows, newest start first, then newest row.
          const stored = await db.read.call.findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] });
          const rows = stored.map(toRow);

          const anchor = stored[fs.anchor % stored.length]!;
          const edge = (b: { anchored: number } | { any: number } | null) => {
            if (b === null) return null;
            return 'anchored' in b ? anchor.startedAt.getTime() + b.anchored : T0 + b.any;
          };
          const value = <A, T>(c: { anchored: A } | { any: T } | null, anchored: (a: A) => T) =>
            c === null ? null : 'any' in c ? c.any : anchored(c.anchored);
          // A range ends after it starts (filterQuerySchema); an empty one ends where it starts.
          let [from, to] = [Math.max(0, edge(fs.from) ?? 0), edge(fs.to)];
          if (to !== null && to < from) [from, to] = [to, from];
          const filter: BoardFilter = {
            from,
            to,
            line: value(fs.line, () => anchor.to ?? ''),
            status: value(fs.status, () => anchor.status),
            caller: value(fs.caller, ({ start, length }) => {
              const caller = anchor.from ?? '';
              const at = start % (caller.length + 1);
              // As the search box sends it.
              return normalizeCaller(caller.slice(at, at + length));
            }),
            direction: (value(fs.direction, () => anchor.direction) ?? 'inbound') as Direction,
          };

          const inBrowser = rows.filter((r) => matches(r, filter));
          const inSql = await db.read.$queryRaw<{ callSid: string }[]>(
            sql`SELECT "callSid" FROM "Call" WHERE ${callConditions(db.provider, filter)}`,
          );
          expect(new Set(inSql.map((r) => r.callSid))).toEqual(new Set(inBrowser.map((r) => r.callSid)));

          // The snapshot lists the first `rows` of them, in the board's order, exactly as stored.
          const snapshot = await queries.snapshot(filter, T0 + SPAN_MS, fs.rows);
          expect(snapshot.calls).toEqual(inBrowser.slice(0, fs.rows));
          // The figures count the same calls. A caller search counts the calls themselves; every
          // other filter is summed from the rollups, whose rows are whole minutes: a call counts when
          // the minute it started in begins within the range.
          const minuteIn = (r: (typeof rows)[number]) => {
            const minute = Math.floor(Date.parse(r.startedAt) / 60_000) * 60_000;
            return minute >= filter.from && (filter.to === null || minute < filter.to);
          };
          const anyTime = { ...filter, from: 0, to: null };
          const inRange =
            filter.caller !== null
              ? rows.filter((r) => matches(r, filter, true))
              : rows.filter((r) => matches(r, anyTime, true) && minuteIn(r));
          expect(snapshot.totals.calls).toBe(
            inRange.filter((r) => filter.line === null || (r.to ?? '') === filter.line).length,
          );
          const perLine = new Map<string, number>();
          for (const r of inRange) perLine.set(r.to ?? '', (perLine.get(r.to ?? '') ?? 0) + 1);
          expect(new Map(snapshot.lines.map((l) => [l.line, l.tally.calls]))).toEqual(perLine);
        },
      ),
      { numRuns: 50 },
    );
  });
});
