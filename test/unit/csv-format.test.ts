// The export's CSV writer (lib/calls/csv-format.ts) is hand-written for speed: it must write, byte
// for byte, what Papa.unparse wrote before it, whatever the calls hold.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Papa from 'papaparse';
import { maskNumber } from '@/lib/auth/mask';
import { CSV_COLUMNS, FORMULA_START, csvFromCopy, csvPage, type ExportRow } from '@/lib/calls/csv-format';

/** The export's formatting before the writer, as it was: papaparse, then UTF-8. */
function papaPage(rows: ExportRow[], header: boolean, mask = false): Uint8Array {
  const cell = (v: number | bigint | string | null) => (v === null ? '' : String(v));
  const lossCell = (packets: ExportRow[11], lost: ExportRow[12]) =>
    packets === null || lost === null || Number(packets) <= 0
      ? ''
      : String(Math.round((Number(lost) * 10_000) / Number(packets)) / 100);
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
  return new TextEncoder().encode(text + (text ? '\r\n' : ''));
}

const decoded = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** Strings made of what CSV and spreadsheets treat specially, with letters, digits and the rest. */
const tricky = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      '"',
      ',',
      '\r',
      '\n',
      '\ufeff',
      ' ',
      '=',
      '+',
      '-',
      '@',
      '\t',
      "'",
      'a',
      'Z',
      '0',
      '1',
      '9',
      '.',
      'é',
      '😀',
      '\ud800',
      '\u2028',
      '\x00',
      '\x7f',
    ),
  }),
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^\+?[0-9]{0,17}$/),
  fc.stringMatching(/^ ?[=+\-@\t\r]?[a-z0-9"]{0,6} ?$/),
);
const count = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.nat({ max: 100_000 }),
  fc.double(),
  fc.bigInt(),
  fc.integer().map(String),
  tricky,
);
const float = fc.oneof(
  fc.constant(null),
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((k) => k / 100),
  fc.integer({ min: 0, max: 50_000 }).map((k) => k / 1000),
  fc.double().map(String),
  tricky,
);
/** Start times toISOString can write: epoch ms, as SQLite (a number) or PostgreSQL (a string) gives them. */
const startedAt = fc.oneof(
  fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }),
  fc.constantFrom(8.64e15, -8.64e15, 0, -0, -1, 253402300799999, 253402300800000, -62167219200001),
  fc.integer({ min: 0, max: 2_000_000_000_000 }).map(String),
  fc.bigInt({ min: -8_640_000_000_000_000n, max: 8_640_000_000_000_000n }),
);
const nullable = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), a);
const row: fc.Arbitrary<ExportRow> = fc.tuple(
  fc.nat(),
  tricky,
  fc.oneof(fc.constantFrom('completed', 'busy', 'no-answer'), tricky),
  startedAt,
  nullable(tricky),
  nullable(tricky),
  count,
  float,
  fc.oneof(fc.constantFrom('inbound', 'outbound-dial', 'outbound-api'), tricky),
  nullable(tricky),
  count,
  count,
  count,
  float,
  count,
);

/** A call with nothing but its id, CallSid, status, start and direction. */
const bare = (startedAt: ExportRow[3]): ExportRow => [
  '1',
  'CA1',
  'completed',
  startedAt,
  null,
  null,
  null,
  null,
  'inbound',
  null,
  null,
  null,
  null,
  null,
  null,
];

describe('csvPage', () => {
  it('writes what Papa.unparse wrote, for any calls, masked or not, with the header or not', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), fc.boolean(), fc.boolean(), (rows, header, mask) => {
        expect(decoded(csvPage(rows, header, mask))).toBe(decoded(papaPage(rows, header, mask)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes the same bytes, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 5 }), fc.boolean(), (rows, mask) => {
        expect(Buffer.compare(csvPage(rows, true, mask), papaPage(rows, true, mask))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('quotes whatever FORMULA_START takes for a formula, whatever its first character', () => {
    // Every UTF-16 unit first, in each text cell: the writer looks for formulas only after the
    // characters it knows FORMULA_START can start with.
    const base: ExportRow = [
      '1',
      'CA1',
      'completed',
      0,
      '+15551230123',
      '+15551230124',
      5,
      4.2,
      'inbound',
      null,
      200,
      10,
      1,
      3.5,
      0,
    ];
    const rows: ExportRow[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `${ch}1`, `${ch}12345678`, `${ch}a b`]) {
        rows.push(['1', s, s, 0, s, s, s, null, s, s, s, null, null, null, s]);
      }
    }
    rows.push(base);
    expect(Buffer.compare(csvPage(rows, true), papaPage(rows, true))).toBe(0);
  });

  it('writes the header alone for no calls, then a blank line, as before', () => {
    expect(decoded(csvPage([], true))).toBe(`${CSV_COLUMNS.join(',')}\r\n\r\n`);
    expect(csvPage([], false)).toHaveLength(0);
  });

  it('fails on a start time no date can hold, as before', () => {
    const r = bare(8.64e15 + 1);
    expect(() => papaPage([r], false)).toThrow(RangeError);
    expect(() => csvPage([r], false)).toThrow(RangeError);
    // What the failed page had written is not part of the next one.
    const ok = [...r] as ExportRow;
    ok[3] = 0;
    expect(() => csvPage([ok, r], false)).toThrow(RangeError);
    expect(decoded(csvPage([ok], false))).toBe(decoded(papaPage([ok], false)));
  });
});

/** Text as PostgreSQL can hold it: no NUL, and UTF-8 (a lone surrogate becomes U+FFFD). */
const storable = (v: unknown): string | null =>
  v === null ? null : Buffer.from(String(v).replace(/\0/g, ''), 'utf8').toString('utf8');

/** Rows as PostgreSQL's COPY TO writes them in its text format. */
function copyText(rows: (string | null)[][]): Buffer {
  const escapes: Record<string, string> = {
    '\\': '\\\\',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
  };
  const field = (v: string | null) =>
    v === null ? '\\N' : v.replace(/[\\\b\f\n\r\t\v]/g, (c) => escapes[c]!);
  return Buffer.from(rows.map((r) => `${r.map(field).join('\t')}\n`).join(''), 'utf8');
}

describe('csvFromCopy', () => {
  it('writes what csvPage writes of the same calls, read from COPY text instead of as rows', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), fc.boolean(), fc.boolean(), (rows, header, mask) => {
        // What pg hands the row reader: every value as its text.
        const texts = rows.map((r) => r.map(storable));
        const page = csvFromCopy(copyText(texts), header, mask);
        expect(decoded(page.bytes)).toBe(decoded(csvPage(texts as ExportRow[], header, mask)));
        expect(page.rows).toBe(rows.length);
        expect(page.lastId).toBe(rows.length > 0 ? Number(texts[rows.length - 1]![0]) : NaN);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads numbers from their digits as Number reads their text', () => {
    const numbers = [
      '0',
      '-0',
      '7',
      '-12',
      '4.1',
      '4.35',
      '0.001',
      '123456789012345',
      '1234567890123456',
      '1e-7',
      '1e+21',
      '12.',
      '.5',
      '-',
      '',
      'Infinity',
      '-Infinity',
      'NaN',
      '3.14159265358979',
      '00042',
    ];
    const rows = numbers.map((n, i) => [
      String(i),
      'CA',
      'completed',
      '0',
      null,
      null,
      n,
      n,
      'inbound',
      null,
      n,
      n,
      n,
      n,
      n,
    ]);
    const page = csvFromCopy(copyText(rows), true);
    expect(decoded(page.bytes)).toBe(decoded(csvPage(rows as ExportRow[], true)));
  });

  it("refuses a page that is not the export's columns", () => {
    const good = bare('0') as (string | null)[];
    expect(() => csvFromCopy(copyText([good.slice(0, 14)]), false)).toThrow(/14 fields/);
    expect(() => csvFromCopy(copyText([[...good, 'x']]), false)).toThrow(/more than 15/);
    expect(() => csvFromCopy(copyText([good]).subarray(0, 20), false)).toThrow(/ends inside a row/);
    expect(decoded(csvFromCopy(Buffer.alloc(0), true).bytes)).toBe(`${CSV_COLUMNS.join(',')}\r\n\r\n`);
  });
});
