// The export's CSV, page by page, as UTF-8 bytes: pure, so the export worker (csv-worker.ts) needs
// neither Prisma nor the rest of the server to load it.
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
// number, which must stay exactly as received. (CsvWriter tests only cells whose first character is
// one of these; test/unit/csv-format.test.ts fails if that no longer covers what this matches.)
export const FORMULA_START = /^(?!\+[1-9]\d{1,14}$)[=+\-@\t\r]/;

/**
 * One call as the export's query selects it, in this order. Drivers differ in how they hand
 * numbers back (the export's PostgreSQL reader takes every value as text, SQLite gives numbers),
 * hence the unions.
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

// The lines are written by hand, as UTF-8 straight into a buffer, byte for byte what
// `Papa.unparse(…, { escapeFormulae: FORMULA_START, newline: '\r\n' })` wrote before, then encoded
// (test/unit/csv-format.test.ts compares the two on arbitrary rows). Measured on one thread over
// pages of 2,000 stored calls: papaparse, with the array of cells it takes per row, and TextEncoder
// cost 4.3 µs a call, most of the export thread's time (reading the page from SQLite: 1.6 µs) and
// most of its garbage; this writer costs 0.9 µs a call and leaves one buffer per page.

const QUOTES = /"/g;
/** What Papa.unparse quotes a cell for: its BAD_DELIMITERS, the delimiter, a space at either end. */
const NEEDS_QUOTES = /[",\r\n\ufeff]|^ | $/;

/** A text cell as Papa.unparse writes it (its `safe`), for the cells the writer does not pass as is. */
function quotedText(s: string): string {
  if (FORMULA_START.test(s)) return `"'${s.replace(QUOTES, '""')}"`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(QUOTES, '""')}"` : s;
}

const asciiSet = (chars: string) => {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
};
/** ASCII that a cell cannot hold unquoted (the BOM, the rest of NEEDS_QUOTES, is not ASCII). */
const QUOTED = asciiSet('",\r\n');
/** Every first character FORMULA_START matches. */
const FORMULA_FIRST = asciiSet('=+-@\t\r');

const COMMA = 44;
const encoder = new TextEncoder();
/** A page of 2,000 calls takes about 280 KB. */
const INITIAL_BYTES = 512 * 1024;

const TAB = 9;
const LF = 10;
const BACKSLASH = 92;
/** The export's columns, as COPY sends them. */
const COPY_FIELDS = 15;
/**
 * What a byte after a backslash stands for in COPY's text format. PostgreSQL writes a backslash, a
 * tab, a newline, a carriage return, a backspace, a form feed and a vertical tab so; any other byte
 * (control characters included) it writes as it is.
 */
const UNESCAPED = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i;
  for (const [letter, byte] of [
    ['b', 8],
    ['f', 12],
    ['n', 10],
    ['r', 13],
    ['t', 9],
    ['v', 11],
  ] as const) {
    t[letter.charCodeAt(0)] = byte;
  }
  return t;
})();
const POW10 = Array.from({ length: 16 }, (_, d) => 10 ** d);

/**
 * Whether bytes s to e are a valid E.164 number, `+` then 2 to 15 digits, the first not 0: what
 * FORMULA_START lets through although it starts with `+`.
 */
function e164(src: Buffer, s: number, e: number): boolean {
  if (e - s < 3 || e - s > 16 || src[s] !== 43 || src[s + 1]! < 49 || src[s + 1]! > 57) return false;
  for (let i = s + 2; i < e; i++) if (src[i]! < 48 || src[i]! > 57) return false;
  return true;
}

/** Writes CSV lines into one growing buffer, taken a page at a time. */
class CsvWriter {
  private buf = new Uint8Array(INITIAL_BYTES);
  private pos = 0;
  /** The minute of the last start time written, and its text up to the seconds. */
  private minute = NaN;
  private minuteText = '';

  /** The header line. */
  header() {
    this.ascii(HEADER);
  }

  /** An empty line. */
  blankLine() {
    this.ascii('\r\n');
  }

  /** The calls' lines. */
  rows(rows: readonly ExportRow[], mask: boolean) {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      this.cell(r[1]);
      this.byte(COMMA);
      this.cell(r[2]);
      this.byte(COMMA);
      this.time(Number(r[3]));
      this.byte(COMMA);
      // Masked as on the board: the caller, and on a leg or an outbound call the called person too.
      if (r[4] !== null) this.cell(mask && r[8] !== 'inbound' ? maskNumber(r[4]) : r[4]);
      this.byte(COMMA);
      if (r[5] !== null) this.cell(mask ? maskNumber(r[5]) : r[5]);
      this.byte(COMMA);
      this.count(r[6]);
      this.byte(COMMA);
      this.float(r[7]);
      this.byte(COMMA);
      this.cell(r[8]);
      this.byte(COMMA);
      this.cell(r[9]);
      this.byte(COMMA);
      this.count(r[10]);
      this.byte(COMMA);
      this.count(r[11]);
      this.byte(COMMA);
      this.count(r[12]);
      this.byte(COMMA);
      this.loss(r[11], r[12]);
      this.byte(COMMA);
      this.float(r[13]);
      this.byte(COMMA);
      this.count(r[14]);
      this.ascii('\r\n');
    }
  }

  /**
   * The calls' lines from a page of PostgreSQL's COPY text format (the export's columns in order:
   * fields ended by a tab, rows by a newline, NULL as `\N`, a backslash escaping what follows), as
   * `rows` writes them, without making a string of each field: a cell that `text` would write as it
   * is (ASCII needing no quotes, no formula) is copied byte for byte, a number's digits likewise;
   * anything else is decoded and goes through the same methods as a row's values. The calls, and the
   * id of the last.
   */
  copyRows(src: Buffer, mask: boolean): { rows: number; lastId: number } {
    const at = this.fieldStarts;
    const ends = this.fieldEnds;
    let rows = 0;
    let lastId = NaN;
    for (let p = 0; p < src.length; rows++) {
      // A newline or a tab in a value is sent escaped: every one here ends a row or a field.
      const end = src.indexOf(LF, p);
      if (end === -1) throw new Error('COPY page ends inside a row');
      let f = 0;
      at[0] = p;
      for (; p < end; p++) {
        if (src[p] === TAB) {
          if (f === COPY_FIELDS - 1) throw new Error(`COPY row of more than ${COPY_FIELDS} fields`);
          ends[f++] = p;
          at[f] = p + 1;
        }
      }
      ends[f++] = p++;
      if (f !== COPY_FIELDS) throw new Error(`COPY row of ${f} fields, not ${COPY_FIELDS}`);
      lastId = this.copyNumber(src, 0);
      this.copyText(src, 1);
      this.byte(COMMA);
      this.copyText(src, 2);
      this.byte(COMMA);
      this.time(this.copyNumber(src, 3));
      this.byte(COMMA);
      // Masked as on the board: the caller, and on a leg or an outbound call the called person too.
      if (mask && !this.copyNull(src, 4) && this.copyString(src, 8) !== 'inbound') {
        this.cell(maskNumber(this.copyString(src, 4)!));
      } else this.copyText(src, 4);
      this.byte(COMMA);
      if (mask && !this.copyNull(src, 5)) this.cell(maskNumber(this.copyString(src, 5)!));
      else this.copyText(src, 5);
      this.byte(COMMA);
      this.copyCount(src, 6);
      this.byte(COMMA);
      this.float(this.copyNumberOrNull(src, 7));
      this.byte(COMMA);
      this.copyText(src, 8);
      this.byte(COMMA);
      this.copyText(src, 9);
      this.byte(COMMA);
      this.copyCount(src, 10);
      this.byte(COMMA);
      this.copyCount(src, 11);
      this.byte(COMMA);
      this.copyCount(src, 12);
      this.byte(COMMA);
      this.loss(this.copyNumberOrNull(src, 11), this.copyNumberOrNull(src, 12));
      this.byte(COMMA);
      this.float(this.copyNumberOrNull(src, 13));
      this.byte(COMMA);
      this.copyCount(src, 14);
      this.ascii('\r\n');
    }
    return { rows, lastId };
  }

  /** Where each field of the COPY row being written starts and ends. */
  private readonly fieldStarts = new Int32Array(COPY_FIELDS);
  private readonly fieldEnds = new Int32Array(COPY_FIELDS);

  /** Whether a field is NULL: exactly `\N` (a backslash in a value is sent as two). */
  private copyNull(src: Buffer, f: number): boolean {
    const s = this.fieldStarts[f]!;
    return this.fieldEnds[f]! - s === 2 && src[s] === BACKSLASH && src[s + 1] === 78;
  }

  /** A field's text, unescaped and decoded from UTF-8; null for NULL. */
  private copyString(src: Buffer, f: number): string | null {
    const s = this.fieldStarts[f]!;
    const e = this.fieldEnds[f]!;
    if (this.copyNull(src, f)) return null;
    let i = s;
    while (i < e && src[i] !== BACKSLASH) i++;
    if (i === e) return src.toString('utf8', s, e);
    const out = Buffer.allocUnsafe(e - s);
    src.copy(out, 0, s, i);
    let n = i - s;
    for (; i < e; i++) {
      let c = src[i]!;
      if (c === BACKSLASH && i + 1 < e) c = UNESCAPED[src[++i]!]!;
      out[n++] = c;
    }
    return out.toString('utf8', 0, n);
  }

  /** A text field as `cell` writes it: copied when `text` would write its characters as they are. */
  private copyText(src: Buffer, f: number) {
    const s = this.fieldStarts[f]!;
    const e = this.fieldEnds[f]!;
    const n = e - s;
    if (n === 0) return;
    const first = src[s]!;
    if (
      first === 32 ||
      src[e - 1] === 32 ||
      (first < 128 && FORMULA_FIRST[first] === 1 && !e164(src, s, e))
    ) {
      return this.cell(this.copyString(src, f));
    }
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = s; i < e; i++) {
      const c = src[i]!;
      // Whatever was copied is written over. A backslash is an escape, or NULL's `\N`.
      if (c > 127 || QUOTED[c] === 1 || c === BACKSLASH) return this.cell(this.copyString(src, f));
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A count as `count` writes the text PostgreSQL sends: its digits copied when it is a whole number from 0. */
  private copyCount(src: Buffer, f: number) {
    const s = this.fieldStarts[f]!;
    const e = this.fieldEnds[f]!;
    this.room(e - s);
    const buf = this.buf;
    let p = this.pos;
    for (let i = s; i < e; i++) {
      const c = src[i]!;
      // Whatever was copied is written over.
      if (c < 48 || c > 57) return this.count(this.copyString(src, f));
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A field's number, or null for NULL. */
  private copyNumberOrNull(src: Buffer, f: number): number | null {
    return this.copyNull(src, f) ? null : this.copyNumber(src, f);
  }

  /**
   * A field's number. One of at most 15 digits, with or without a decimal point, is read from its
   * digits: k / 10^d is the double nearest the decimal, as Number gives it (both exact, divided once,
   * rounded once). Any other (an exponent, Infinity, NULL's 0) as Number reads its text.
   */
  private copyNumber(src: Buffer, f: number): number {
    const s = this.fieldStarts[f]!;
    const e = this.fieldEnds[f]!;
    let i = s;
    const negative = src[i] === 45;
    if (negative) i++;
    let v = 0;
    let digits = 0;
    let decimals = -1;
    for (; i < e; i++) {
      const c = src[i]!;
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        digits++;
        if (decimals >= 0) decimals++;
      } else if (c === 46 && decimals < 0) decimals = 0;
      else break;
    }
    if (i === e && digits > 0 && digits <= 15 && decimals !== 0) {
      const x = decimals > 0 ? v / POW10[decimals]! : v;
      return negative ? -x : x;
    }
    return Number(this.copyString(src, f));
  }

  /** Drops what was written since the last take. */
  clear() {
    this.pos = 0;
  }

  /** What was written since the last take, in a buffer of its own. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    // A page of very long cells does not keep its room for the rest of the export.
    if (this.buf.length > 4 * INITIAL_BYTES) this.buf = new Uint8Array(INITIAL_BYTES);
    return out;
  }

  private room(bytes: number) {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.pos + bytes));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  private byte(b: number) {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Text known to be ASCII and to need no quotes. */
  private ascii(s: string) {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Text as Papa.unparse writes it: as is when plain ASCII that needs nothing, else quotedText. */
  private text(s: string) {
    const n = s.length;
    if (n === 0) return;
    const first = s.charCodeAt(0);
    if (
      first === 32 ||
      s.charCodeAt(n - 1) === 32 ||
      (first < 128 && FORMULA_FIRST[first] === 1 && FORMULA_START.test(s))
    ) {
      return this.encoded(quotedText(s));
    }
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Whatever was copied is written over.
      if (c > 127 || QUOTED[c] === 1) return this.encoded(quotedText(s));
      buf[p++] = c;
    }
    this.pos = p;
  }

  private encoded(s: string) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.room(3 * s.length);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  /**
   * A value as Papa.unparse writes it: nothing for null, numbers, bigints and booleans as they
   * print (never taken for formulas), anything else (a string) by its text.
   */
  private cell(v: unknown) {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') this.text(v);
    else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') this.ascii(String(v));
    else this.text(String(v));
  }

  /** A count or code, written as the text of it (so a negative one is taken for a formula). */
  private count(v: number | bigint | string | null) {
    if (v === null) return;
    if (typeof v !== 'number' || !(v >= 0)) this.text(String(v));
    else if (v <= 0x7fffffff && (v | 0) === v) this.digits(v);
    else this.ascii(String(v));
  }

  /** A whole number from 0 to 2^31 - 1. */
  private digits(v: number) {
    this.room(10);
    let end = this.pos + 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) end++;
    this.pos = end;
    const buf = this.buf;
    do {
      buf[--end] = 48 + (v % 10);
      v = (v / 10) | 0;
    } while (v > 0);
  }

  /**
   * A MOS or jitter, written as the number it is (never a formula). One with at most two decimals,
   * which is most, is written by hand: String() of a double is the shortest text that reads back
   * as it, and for k / 100 that is k's digits with the point put back and the trailing zeros cut.
   */
  private float(v: number | string | null) {
    if (v === null) return;
    const x = Number(v);
    const k = Math.round(x * 100);
    if (k / 100 !== x || k > 0x7fffffff || k < -0x7fffffff) return this.ascii(String(x));
    let a = k;
    if (a < 0) {
      this.byte(45);
      a = -a;
    }
    const whole = Math.floor(a / 100);
    const cents = a - whole * 100;
    this.digits(whole);
    if (cents === 0) return;
    this.byte(46);
    this.byte(48 + Math.floor(cents / 10));
    if (cents % 10 !== 0) this.byte(48 + (cents % 10));
  }

  /** Lost per received, in percent to two decimals, as the board computes it; blank without packets. */
  private loss(packets: ExportRow[11], lost: ExportRow[12]) {
    if (packets === null || lost === null || Number(packets) <= 0) return;
    const x = Math.round((Number(lost) * 10_000) / Number(packets)) / 100;
    // Written as text: a negative one is taken for a formula.
    if (x < 0) this.text(String(x));
    else this.float(x);
  }

  /** Epoch ms as toISOString writes it; the text up to the minute is kept from the row before. */
  private time(ms: number) {
    // Outside Date's range toISOString throws, as it did.
    if (!(ms >= -8.64e15 && ms <= 8.64e15)) return this.text(new Date(ms).toISOString());
    // Whole ms, as Date keeps them.
    const t = Math.trunc(ms);
    const minute = Math.floor(t / 60_000);
    if (minute !== this.minute) {
      const iso = new Date(minute * 60_000).toISOString();
      // Years before 0 and after 9999 are signed, and taken for formulas.
      const first = iso.charCodeAt(0);
      if (first < 48 || first > 57) {
        this.minute = NaN;
        return this.text(new Date(t).toISOString());
      }
      this.minute = minute;
      this.minuteText = iso.slice(0, -'00.000Z'.length);
    }
    this.ascii(this.minuteText);
    const rest = t - minute * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    this.room(7);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 48 + Math.floor(seconds / 10);
    buf[p++] = 48 + (seconds % 10);
    buf[p++] = 46;
    buf[p++] = 48 + Math.floor(millis / 100);
    buf[p++] = 48 + (Math.floor(millis / 10) % 10);
    buf[p++] = 48 + (millis % 10);
    buf[p++] = 90;
    this.pos = p;
  }
}

const HEADER = CSV_COLUMNS.map(quotedText).join(',') + '\r\n';

/** Made on the first page: what else imports this file (FORMULA_START) does not hold its buffer. */
let pageWriter: CsvWriter | null = null;

/**
 * A page: the header line first if asked, then what `write` writes; an empty first page ends with a
 * blank line, as Papa.unparse, given no calls, wrote one.
 */
function page<T extends { rows: number }>(
  header: boolean,
  write: (w: CsvWriter) => T,
): T & { bytes: Uint8Array } {
  const writer = (pageWriter ??= new CsvWriter());
  // Whatever a page that failed had written is not sent with the next.
  writer.clear();
  if (header) writer.header();
  const written = write(writer);
  if (header && written.rows === 0) writer.blankLine();
  return { ...written, bytes: writer.take() };
}

/**
 * CSV lines for a page of calls (with the header line first on the first page), CRLF-terminated,
 * in UTF-8.
 */
export function csvPage(rows: readonly ExportRow[], header: boolean, mask = false): Uint8Array {
  return page(header, (w) => {
    w.rows(rows, mask);
    return { rows: rows.length };
  }).bytes;
}

/**
 * The same lines from a page of COPY's text format (`COPY (<the export's query>) TO STDOUT`), with
 * the calls in it and the id of the last (NaN for none).
 */
export function csvFromCopy(
  copy: Buffer,
  header: boolean,
  mask = false,
): { bytes: Uint8Array; rows: number; lastId: number } {
  return page(header, (w) => w.copyRows(copy, mask));
}
