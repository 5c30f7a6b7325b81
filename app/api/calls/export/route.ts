import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { filterOf, filterQuerySchema } from '@/lib/common/filter';
import { masksNumbers, scopeFilter } from '@/lib/auth/scope';
import { entryOf, filterDetail } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

// The board's own filter, plus how to name the file: its range and zone as the board shows them.
const exportQuery = z.intersection(
  filterQuerySchema,
  z.object({
    range: z.string().max(80).optional(),
    zone: z.string().max(64).optional(),
  }),
);

// A refused export is worth retrying once the running one is likely to be done: most take seconds.
const RETRY_AFTER_SECONDS = 5;

/** Keeps a file name portable: letters, digits and - _ . only. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');

/** People only: TVs view the board but never take the numbers away in bulk. */
export const GET = withUser('user', { query: exportQuery }, async ({ request, who, query: q }) => {
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const name = ['calls', q.range ? safe(q.range) : null, q.zone ? safe(q.zone) : 'UTC', `exported-${stamp}`]
    .filter(Boolean)
    .join('_');
  // Before a slot is taken: a refused line or direction must not hold one.
  const filter = scopeFilter(filterOf(q), who);
  const rt = getRuntime();
  const slot = rt.exportSlots.take(who.userId);
  if ('refused' in slot) {
    const error =
      slot.refused === 'user'
        ? 'an export is already running for you: wait for it to finish, then try again'
        : 'the server is running as many exports as it allows: try again shortly';
    return json(429, { error }, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
  }
  const started = performance.now();
  const csv = rt.exportCsv(filter, {
    mask: masksNumbers(who),
    signal: request.signal,
    onEnd: (how, rows) => {
      slot.release();
      const detail = { ...filterDetail(filter), how, rows };
      void rt.audit.record(entryOf(who, request, 'calls.export', null, detail));
      rt.log.info(
        {
          user: who.username,
          how,
          rows,
          ms: Math.round(performance.now() - started),
          running: rt.exportSlots.running,
        },
        'export ended',
      );
    },
  });
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}.csv"`,
      // no-transform: sent as is, not gzipped on the way out. Calls compress only about 2.8:1 (random
      // SIDs and numbers), and gzip ran on the server's shared threads at the same priority as the
      // callbacks, costing about as much CPU as the export itself.
      'Cache-Control': 'no-store, no-transform',
    },
  });
});
