import Papa from 'papaparse';
import type { Database } from '../db/client';

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

/**
 * Streams every call stored when the export began, by primary key, one page in memory at a time.
 */
export function exportCsv(db: Database): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = 0;
  let upTo: number | null = null;
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (upTo === null) {
        const max = await db.read.call.aggregate({ _max: { id: true } });
        upTo = max._max.id ?? 0;
      }
      const rows = await db.read.call.findMany({
        where: { id: { gt: cursor, lte: upTo } },
        orderBy: { id: 'asc' },
        take: PAGE,
        select: {
          id: true,
          callSid: true,
          status: true,
          startedAt: true,
          to: true,
          from: true,
          duration: true,
          mos: true,
        },
      });
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
            r.startedAt.toISOString(),
            r.to ?? '',
            r.from ?? '',
            r.duration ?? '',
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
      cursor = rows[rows.length - 1]!.id;
    },
  });
}
