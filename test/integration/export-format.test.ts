// The export's CSV from a real store, through the export thread, byte for byte what the CSV writer
// makes of the same calls read as rows (lib/calls/csv-format.ts, itself checked against papaparse in
// test/unit/csv-format.test.ts). On PostgreSQL the thread reads each page as COPY's text format and
// writes CSV from its bytes, so every character COPY escapes must come back as stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import type { Database } from '@/lib/db/client';
import { commitBatch } from '@/lib/calls/ingest/store';
import { epochMsOf } from '@/lib/calls/aggregate';
import { ExportThreads, exportCsv } from '@/lib/calls/csv';
import { CSV_COLUMNS, EXPORT_COLUMNS, csvPage, type ExportRow } from '@/lib/calls/csv-format';
import { validateCallback } from '@/lib/callbacks/schema';
import { ALL_TIME } from '@/lib/common/filter';
import { openTestDatabase } from '../helpers/db';

let db: Database;
let threads: ExportThreads;

beforeAll(async () => {
  db = await openTestDatabase();
  threads = new ExportThreads(1);
});
afterAll(async () => {
  threads.close();
  await db.close();
});

/**
 * Text a store can hold that COPY escapes (backslash, tab, newline, carriage return, backspace,
 * form feed, vertical tab), that reads like its NULL (`\N`), that CSV quotes, that a spreadsheet
 * takes for a formula, and beyond ASCII. Callbacks refuse control characters, but a store restored
 * from elsewhere, or written before that check, may hold them.
 */
const AWKWARD = [
  'tab\there',
  'new\nline',
  'carriage\rreturn\r\n',
  'back\\slash\\',
  '\\N',
  '\\',
  '\\t not a tab',
  '\b\f\v\x01\x7f',
  'say "hi", ok',
  ' spaced ',
  '\ufeffbom',
  '=1+2',
  '+15551230123',
  '+1 555 0100',
  '-3',
  '@sum',
  "O'Brien",
  'é 📞 中文',
  '',
];
const MOS = [4.35, 1e-7, 123456789.123, -0.5, 1e21, 3, null];

/** A whole export of every call, as its bytes. */
async function exported(mask: boolean): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of exportCsv(db, threads, ALL_TIME, {
    mask,
  }) as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The same calls read as rows, in the export's order, and written by csvPage. */
async function expected(mask: boolean): Promise<Buffer> {
  const rows = await db.read.$queryRawUnsafe<Record<string, unknown>[]>(
    `SELECT ${EXPORT_COLUMNS(epochMsOf(db.provider, '"startedAt"'))} FROM "Call" WHERE "direction" = 'inbound' ORDER BY "id"`,
  );
  return Buffer.from(
    csvPage(
      rows.map((r) => Object.values(r) as ExportRow),
      true,
      mask,
    ),
  );
}

describe('the export', () => {
  it('writes every call as stored, whatever its text holds, over more than one page', async () => {
    const at = Date.UTC(2026, 4, 6, 9, 30);
    // More than a page (2,000) of plain calls, then one per awkward text.
    const plain = 2_100;
    const batch = Array.from({ length: plain + AWKWARD.length }, (_, i) => {
      const v = validateCallback({
        CallSid: `CA${String(i).padStart(6, '0')}`,
        CallStatus: i % 7 === 0 ? 'busy' : 'completed',
        CallDuration: String(i % 300),
        From: `+1555${String(1_000_000 + i).slice(1)}`,
        To: `+1800555${String(i % 10).padStart(4, '0')}`,
        AudioInMos: (1 + (i % 350) / 100).toFixed(2),
        AudioInMediaPacketCount: String(1000 + i),
        AudioInSkipPacketCount: String(i % 13),
        AudioInJitterMaxVariance: String((i % 40) / 4),
        AudioInFlushPacketCount: String(i % 3),
        Timestamp: new Date(at + i * 1000).toISOString(),
      });
      if (!v.ok) throw new Error(v.message);
      return { callback: v.callback, receivedAt: new Date(at + i * 1000) };
    });
    const outcomes = await commitBatch(db, batch);
    expect(outcomes.every((o) => o.kind === 'stored')).toBe(true);
    // The awkward texts, written straight into the calls' columns.
    for (const [i, text] of AWKWARD.entries()) {
      const sid = `${text}#${i}`;
      const to = AWKWARD[(i + 1) % AWKWARD.length]!;
      const [status, mos, duration] = [text || 'completed', MOS[i % MOS.length], i % 2 === 0 ? -i : i];
      const was = `CA${String(plain + i).padStart(6, '0')}`;
      await db.write.$executeRaw`UPDATE "Call" SET "callSid" = ${sid}, "status" = ${status}, "from" = ${text},
        "to" = ${to}, "parentSid" = ${text}, "mos" = ${mos}, "duration" = ${duration} WHERE "callSid" = ${was}`;
    }

    for (const mask of [false, true]) {
      const [csv, want] = [await exported(mask), await expected(mask)];
      // The text first, for a readable difference; then the bytes, which the text could hide.
      expect(csv.toString('utf8')).toBe(want.toString('utf8'));
      expect(Buffer.compare(csv, want)).toBe(0);
    }

    // And what a spreadsheet would read of it: every call once, each text as stored, formulas
    // neutralised.
    const parsed = Papa.parse<string[]>((await exported(false)).toString('utf8'), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data[0]).toEqual([...CSV_COLUMNS]);
    expect(parsed.data).toHaveLength(1 + plain + AWKWARD.length);
    const bySid = new Map(parsed.data.map((r) => [r[0]!, r]));
    for (const [i, text] of AWKWARD.entries()) {
      const row = bySid.get(/^[=+\-@\t\r]/.test(text) ? `'${text}#${i}` : `${text}#${i}`);
      expect(row, JSON.stringify(text)).toBeDefined();
      const asWritten = /^[=@\t\r-]|^\+(?![1-9]\d{1,14}$)/.test(text) ? `'${text}` : text;
      expect(row![4], JSON.stringify(text)).toBe(asWritten);
      expect(row![8], JSON.stringify(text)).toBe(asWritten);
    }
    expect(bySid.get('CA000001')).toEqual([
      'CA000001',
      'completed',
      new Date(at + 1000).toISOString(),
      '+18005550001',
      '+1555000001',
      '1',
      '1.01',
      'inbound',
      '',
      '',
      '1001',
      '1',
      '0.1',
      '0.25',
      '1',
    ]);
  });
});
