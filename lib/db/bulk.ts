// Multi-row statements below Prisma's model layer, for the writes of the ingest hot path on
// PostgreSQL: at thousands of rows a batch, the model layer's argument handling was most of the cost.
import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type { Provider } from './adapters';

export type Column = 'text' | 'integer' | 'bigint' | 'double precision' | 'timestamp(3)' | 'boolean';
export type Cell = string | number | boolean | Date | null;

/**
 * Rows per statement. Rows travel as one JSON parameter (see rowsOf), so this bounds memory and
 * statement time, not the drivers' parameter limits.
 */
const ROWS_PER_STATEMENT = 5_000;

export function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += ROWS_PER_STATEMENT) out.push(xs.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

/**
 * PostgreSQL: a SELECT yielding `rows`, in order, from one JSON parameter that
 * json_array_elements unpacks inside the database. Binding every cell as its own parameter instead
 * made Prisma's per-parameter handling most of a batch's cost (CPU profile of `npm run seed`); one
 * string parameter costs the same at 1 row or 5,000, and saves a round trip per row. SQLite has no
 * round trip to save: its ingest runs prepared statements row by row (lib/calls/ingest/store.ts).
 */
export function rowsOf(types: readonly Column[], rows: Cell[][]) {
  // A UTC timestamp(3) reads an ISO string's zone-less UTC value.
  const json = JSON.stringify(rows.map((r) => r.map((v) => (v instanceof Date ? v.toISOString() : v))));
  const cells = types.map((t, i) => `(e ->> ${i})::${t}`).join(', ');
  return sql`SELECT ${raw(cells)} FROM json_array_elements(${json}::json) WITH ORDINALITY AS r(e, n) WHERE true ORDER BY n`;
}

/**
 * Membership in a list of strings, as one JSON parameter (see rowsOf): `IN (...)` on SQLite, and
 * `= ANY (ARRAY(...))` on PostgreSQL, which looks each value up in an index whatever the table's
 * statistics say. `IN (SELECT ...)` let a table without statistics be hashed whole: PostgreSQL
 * guessed half of `CallEvent` would match and scanned all of it on every ingest commit.
 */
export function inList(provider: Provider, values: string[]) {
  const json = JSON.stringify(values);
  return provider === 'sqlite'
    ? sql`IN (SELECT value FROM json_each(${json}))`
    : sql`= ANY (ARRAY(SELECT json_array_elements_text(${json}::json)))`;
}
