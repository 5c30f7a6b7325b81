// Values written into a PostgreSQL statement's text, for the statements that cannot take them as
// parameters: several statements sent as one message (ingest), and COPY (the export).
import pg from 'pg';

/** A parameter written into a statement's text: a number as itself, a string as pg's own escaped literal. */
export function literal(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return pg.escapeLiteral(v);
  throw new Error(`cannot write ${typeof v} into a statement`);
}

/** A statement with its parameters ($1, $2, ...) written in as literals. */
export const inline = (q: { text: string; values: readonly unknown[] }) =>
  q.text.replace(/\$(\d+)/g, (_, n: string) => literal(q.values[Number(n) - 1]));
