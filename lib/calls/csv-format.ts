// The export's CSV text, page by page: pure, so the export worker (csv-worker.ts) needs neither
// Prisma nor the rest of the server to load it.
import Papa from 'papaparse';

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

/**
 * One call as the export's query selects it, in this order. Drivers differ in how they hand
 * numbers back (PostgreSQL's bigint as a string, SQLite's as a number), hence the unions.
 */
export type ExportRow = [
  id: number | bigint | string,
  callSid: string,
  status: string,
  startedAtMs: number | bigint | string,
  to: string | null,
  from: string | null,
  duration: number | bigint | string | null,
  mos: number | string | null,
];

/** The SELECT list matching ExportRow, with the start time as epoch ms on either store. */
export const EXPORT_COLUMNS = (startedAtMs: string) =>
  `"id", "callSid", "status", ${startedAtMs} AS "startedAtMs", "to", "from", "duration", "mos"`;

/** CSV lines for a page of calls (with the header line first on the first page), CRLF-terminated. */
export function csvPage(rows: ExportRow[], header: boolean): string {
  const text = Papa.unparse(
    {
      fields: [...CSV_COLUMNS],
      data: rows.map((r) => [
        r[1],
        r[2],
        new Date(Number(r[3])).toISOString(),
        r[4] ?? '',
        r[5] ?? '',
        r[6] === null ? '' : String(r[6]),
        r[7] === null ? '' : Number(r[7]),
      ]),
    },
    { header, escapeFormulae: FORMULA_START, newline: '\r\n' },
  );
  // unparse joins rows without a trailing newline; pages are joined with one.
  return text + (text ? '\r\n' : '');
}
