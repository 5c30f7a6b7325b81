// Multi-row statements below Prisma's model layer, for the writes of the ingest hot path on
// PostgreSQL: at thousands of rows a batch, the model layer's argument handling was most of the cost.
import { join, raw, sqltag as sql } from '@prisma/client/runtime/client';
import type { Provider } from './adapters';

export type Column = 'text' | 'integer' | 'bigint' | 'double precision' | 'timestamp(3)' | 'boolean';
export type Cell = string | number | boolean | Date | null;

/**
 * Rows per statement. Rows travel as one array parameter per column (see rowsOf), so this bounds
 * memory and statement time, not the drivers' parameter limits.
 */
const ROWS_PER_STATEMENT = 5_000;

export function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += ROWS_PER_STATEMENT) out.push(xs.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

/**
 * PostgreSQL: a SELECT yielding `rows`, in order, from one array parameter per column (an array
 * literal, see arrayLiteral) that `unnest` zips back into rows inside the database. Binding every
 * cell as its own parameter made Prisma's per-parameter handling most of a batch's cost (CPU
 * profile of `npm run seed`); a column's array costs one parameter at 1 row or 5,000, and saves a
 * round trip per row. Rows as one JSON array of arrays, before, cost PostgreSQL ten times as much:
 * `e ->> i` reads a json element from its start for each cell (20,000 rows of 45 integers: 2.1 s
 * through json, 0.7 s through jsonb, 0.22 s as arrays). SQLite has no round trip to save: its
 * ingest runs prepared statements row by row (lib/calls/ingest/store.ts).
 */
export function rowsOf(types: readonly Column[], rows: Cell[][]) {
  const columns = types.map((type, i) => sql`${arrayLiteral(rows.map((r) => r[i] ?? null))}::${raw(type)}[]`);
  const names = types.map((_, i) => `c${i}`).join(', ');
  return sql`SELECT ${raw(names)} FROM unnest(${join(columns, ', ')}) WITH ORDINALITY AS r(${raw(names)}, n) ORDER BY n`;
}

/**
 * A PostgreSQL array literal of `values`, each element quoted and escaped as pg's own arrayString
 * does (a backslash before each backslash and double quote), NULL unquoted. Passed as one string
 * parameter: a JS array went through Prisma's and pg's handling element by element, whose garbage
 * took a third of a seed's time. A number that is not finite is NULL, as JSON made it before. A UTC
 * timestamp(3) reads an ISO string's zone-less UTC value.
 */
function arrayLiteral(values: readonly Cell[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? null;
    if (v === null || (typeof v === 'number' && !Number.isFinite(v))) parts[i] = 'NULL';
    else if (typeof v === 'number' || typeof v === 'boolean') parts[i] = String(v);
    else parts[i] = `"${(v instanceof Date ? v.toISOString() : v).replace(/[\\"]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}

/**
 * Membership in a list of strings, as one parameter: `IN (...)` over a JSON array on SQLite, and
 * `= ANY (...)` over a text array on PostgreSQL, which looks each value up in an index whatever the
 * table's statistics say. `IN (SELECT ...)` let a table without statistics be hashed whole:
 * PostgreSQL guessed half of `CallEvent` would match and scanned all of it on every ingest commit.
 */
export function inList(provider: Provider, values: string[]) {
  return provider === 'sqlite'
    ? sql`IN (SELECT value FROM json_each(${JSON.stringify(values)}))`
    : sql`= ANY (${arrayLiteral(values)}::text[])`;
}
