import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';
import { linesSchema } from '@/lib/common/privacy';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1).max(128) });

/** Makes a TV show some lines only (To numbers), or every line (`lines: null`). */
export const PUT = withUser(
  'admin',
  { params: Params, body: linesSchema },
  async ({ who, request, params: { id }, body: { lines } }) => {
    const rt = getRuntime();
    const unique = lines && [...new Set(lines)];
    if (!(await rt.accounts.wallboards.setLines(id, unique)))
      return json(404, { error: 'no such wallboard' });
    rt.scopeChanged();
    await rt.audit.record(entryOf(who, request, 'wallboard.lines', id, { lines: unique }));
    return { id, lines: unique };
  },
);
