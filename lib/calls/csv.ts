import Papa from 'papaparse';
import { sqltag as sql } from '@prisma/client/runtime/client';
import type { Database } from '../db/client';
import type { BoardFilter } from './filter';
import { callConditions } from './aggregate';

/** Column order of the script this product replaces, which users' spreadsheets expect. */
export const CSV_COLUMNS = [
  'Call SID',
  'Call Status',
  'Event Timestamp',
  'To Number',
  'From Number',
  'Call Duration(s)',
  'Audio in MOS',
] as const;

// A cell a spreadsheet would run as a formula gets a leading quote, except a valid E.164
// number, which must stay exactly as received.
const FORMULA_START = /^(?!\+[1-9]\d{1,14}$)[=+\-@\t\r]/;

const PAGE = 5_000;

type Row = {
  id: number | bigint;
  callSid: string;
  status: string;
  startedAt: Date | number | bigint;
  to: string | null;
  from: string | null;
  duration: number | bigint | null;
  mos: number | null;
};

/**
 * Streams the calls the filter counts, as stored when the export began, by primary key, one page in
 * memory at a time: the same calls the board's totals count for that filter.
 */
export function exportCsv(db: Database, filter: BoardFilter): ReadableStream<Uint8Array> {
  const where = callConditions(db.provider, filter);
  const encoder = new TextEncoder();
  let cursor = 0;
  let upTo: number | null = null;
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (upTo === null) {
        // findFirst by key rather than aggregate _max, which scans every call.
        const last = await db.read.call.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
        upTo = last?.id ?? 0;
      }
      // A raw page by primary key: the model layer's per-row mapping was most of the cost.
      const rows = await db.read.$queryRaw<Row[]>(
        sql`SELECT "id", "callSid", "status", "startedAt", "to", "from", "duration", "mos" FROM "Call"
            WHERE "id" > ${cursor} AND "id" <= ${upTo} AND ${where} ORDER BY "id" LIMIT ${PAGE}`,
      );
      if (rows.length === 0 && !header) {
        controller.close();
        return;
      }
      const text = Papa.unparse(
        {
          fields: [...CSV_COLUMNS],
          data: rows.map((r) => [
            r.callSid,
            r.status,
            (r.startedAt instanceof Date ? r.startedAt : new Date(Number(r.startedAt))).toISOString(),
            r.to ?? '',
            r.from ?? '',
            r.duration === null ? '' : String(r.duration),
            r.mos ?? '',
          ]),
        },
        { header, escapeFormulae: FORMULA_START, newline: '\r\n' },
      );
      // unparse joins rows without a trailing newline; pages are joined with one.
      controller.enqueue(encoder.encode(text + (text ? '\r\n' : '')));
      header = false;
      if (rows.length === 0) {
        controller.close();
        return;
      }
      cursor = Number(rows[rows.length - 1]!.id);
    },
  });
}
