// Multi-row statements below Prisma's model layer, for the writes of the ingest hot path: at
// thousands of rows a batch, the model layer's argument handling was most of the cost.
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
 * A SELECT yielding `rows`, in order, from one JSON parameter: SQLite's json_each or
 * PostgreSQL's json_array_elements unpack it inside the database. Binding every cell as its own
 * parameter instead made Prisma's per-parameter handling most of a batch's cost (CPU profile of
 * `npm run seed`); one string parameter costs the same at 1 row or 5,000.
 */
export function rowsOf(provider: Provider, types: readonly Column[], rows: Cell[][]) {
  const sqlite = provider === 'sqlite';
  // DateTime is stored as epoch ms in SQLite (timestampFormat unixepoch-ms) and as a UTC
  // timestamp(3) in PostgreSQL, which reads an ISO string's zone-less UTC value.
  const json = JSON.stringify(
    rows.map((r) => r.map((v) => (v instanceof Date ? (sqlite ? v.getTime() : v.toISOString()) : v))),
  );
  if (sqlite) {
    // WHERE true: SQLite needs it to parse an upsert after INSERT ... SELECT.
    const cells = types.map((_, i) => `value ->> ${i}`).join(', ');
    return sql`SELECT ${raw(cells)} FROM json_each(${json}) WHERE true ORDER BY key`;
  }
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
