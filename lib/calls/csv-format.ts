// The export's CSV text, page by page: pure, so the export worker (csv-worker.ts) needs neither
// Prisma nor the rest of the server to load it.
import Papa from 'papaparse';
import { maskNumber } from '../auth/mask';

/** Column order of the script this product replaces, which users' spreadsheets expect. */
export const CSV_COLUMNS = [
  'Call SID',
  'Call Status',
  'Event Timestamp',
  'To Number',
  'From Number',
  'Call Duration(s)',
  'Audio in MOS',
  // Added after the script's seven, which stay first and in order.
  'Direction',
  'Parent Call SID',
  'SIP Result Code',
  'Packets Received',
  'Packets Lost',
  'Packet Loss (%)',
  'Max Jitter (ms)',
  'Jitter Buffer Flushes',
] as const;

// A cell a spreadsheet would run as a formula gets a leading quote, except a valid E.164
// number, which must stay exactly as received.
export const FORMULA_START = /^(?!\+[1-9]\d{1,14}$)[=+\-@\t\r]/;

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
  direction: string,
  parentSid: string | null,
  sipCode: number | bigint | string | null,
  packets: number | bigint | string | null,
  lost: number | bigint | string | null,
  jitter: number | string | null,
  flushes: number | bigint | string | null,
];

/** The SELECT list matching ExportRow, with the start time as epoch ms on either store. */
export const EXPORT_COLUMNS = (startedAtMs: string) =>
  `"id", "callSid", "status", ${startedAtMs} AS "startedAtMs", "to", "from", "duration", "mos", "direction", "parentSid", "sipCode", "packets", "lost", "jitter", "flushes"`;

const cell = (v: number | bigint | string | null) => (v === null ? '' : String(v));

/** Lost per received, in percent to two decimals, as the board computes it; blank without packets. */
function lossCell(packets: ExportRow[11], lost: ExportRow[12]): string {
  if (packets === null || lost === null || Number(packets) <= 0) return '';
  return String(Math.round((Number(lost) * 10_000) / Number(packets)) / 100);
}

/** CSV lines for a page of calls (with the header line first on the first page), CRLF-terminated. */
export function csvPage(rows: ExportRow[], header: boolean, mask = false): string {
  // Masked as on the board: the caller, and on a leg or an outbound call the called person too.
  const from = (r: ExportRow) => (r[5] === null ? '' : mask ? maskNumber(r[5]) : r[5]);
  const to = (r: ExportRow) => (r[4] === null ? '' : mask && r[8] !== 'inbound' ? maskNumber(r[4]) : r[4]);
  const text = Papa.unparse(
    {
      fields: [...CSV_COLUMNS],
      data: rows.map((r) => [
        r[1],
        r[2],
        new Date(Number(r[3])).toISOString(),
        to(r),
        from(r),
        r[6] === null ? '' : String(r[6]),
        r[7] === null ? '' : Number(r[7]),
        r[8],
        r[9] ?? '',
        cell(r[10]),
        cell(r[11]),
        cell(r[12]),
        lossCell(r[11], r[12]),
        r[13] === null ? '' : Number(r[13]),
        cell(r[14]),
      ]),
    },
    { header, escapeFormulae: FORMULA_START, newline: '\r\n' },
  );
  // unparse joins rows without a trailing newline; pages are joined with one.
  return text + (text ? '\r\n' : '');
}
