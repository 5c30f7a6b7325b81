// The rows of ingest's statements on PostgreSQL travel as one array literal per column (lib/db/bulk.ts).
// Whatever a cell holds must come back from the database as it went in, row for row, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqltag as sql } from '@prisma/client/runtime/client';
import type { Database } from '@/lib/db/client';
import { inList, rowsOf, type Cell, type Column } from '@/lib/db/bulk';
import { TEST_PROVIDER, openTestDatabase } from '../helpers/db';

const TYPES: readonly Column[] = ['text', 'integer', 'bigint', 'double precision', 'timestamp(3)', 'boolean'];

// Text that an array literal's syntax would misread if it were not quoted and escaped.
const AWKWARD = [
  'plain',
  'a "quoted" word',
  'back\\slash and \\" both',
  '{braces,and,commas}',
  'NULL',
  '',
  '  spaces kept  ',
  'line\nbreak\ttab',
  'é ☎ 📞',
  '{"CallSid":"CA1","From":"+1 (415) 555-0100"}',
];

describe.skipIf(TEST_PROVIDER !== 'postgresql')('rows as array literals, on PostgreSQL', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('gives back every cell as it went in, nulls included, in the rows’ order', async () => {
    const rows: Cell[][] = AWKWARD.map((text, i) => [
      text,
      i % 3 === 0 ? null : -i * 1_000,
      i === 1 ? 2 ** 40 + 1 : i,
      i === 2 ? null : i + 0.25,
      new Date(Date.UTC(2026, 11, 1, 2, i, 3, 7 * i)),
      i % 2 === 0,
    ]);
    // Reversed order of rows, too, so that a result in any other order than given fails.
    for (const given of [rows, [...rows].reverse()]) {
      const got = await db.write.$queryRaw<Record<string, unknown>[]>(rowsOf(TYPES, given));
      expect(
        got.map((r) => [
          r.c0,
          r.c1,
          r.c2 === null ? null : Number(r.c2),
          r.c3,
          (r.c4 as Date).toISOString(),
          r.c5,
        ]),
      ).toEqual(given.map((r) => [...r.slice(0, 4), (r[4] as Date).toISOString(), r[5]]));
    }
  });

  it('makes no rows of an empty list, and numbers that are not finite null', async () => {
    expect(await db.write.$queryRaw(rowsOf(TYPES, []))).toEqual([]);
    const [row] = await db.write.$queryRaw<{ c0: number | null }[]>(
      rowsOf(['double precision'], [[Number.NaN]]),
    );
    expect(row).toEqual({ c0: null });
  });

  it('finds exactly the listed strings, however awkward', async () => {
    const listed = AWKWARD.slice(1, 6);
    const awkward = rowsOf(
      ['text'],
      AWKWARD.map((t) => [t]),
    );
    const found = await db.write.$queryRaw<{ c0: string }[]>(
      sql`SELECT c0 FROM (${awkward}) AS r WHERE c0 ${inList('postgresql', listed)}`,
    );
    expect(found.map((r) => r.c0).sort()).toEqual([...listed].sort());
    const none = await db.write.$queryRaw<unknown[]>(
      sql`SELECT c0 FROM (${awkward}) AS r WHERE c0 ${inList('postgresql', [])}`,
    );
    expect(none).toEqual([]);
  });
});
