// `npm run bench -- --growth --calls N`: how each cost grows with the store. The store is filled in
// steps (100,000, then 1,000,000, then each tenfold up to N) through the seed's path, and at each
// step the same server measures what a supervisor waits for: the board, each filter over all time,
// a caller search, the first paint, the export and its memory, ingest against the do-nothing route,
// and the store's size. One table, one column per step, every figure measured in the same run.
import { chromium } from '@playwright/test';
import type { RunningServer } from '../../test/helpers/server';
import { seed } from '../seed';
import { CHROMIUM_ARGS, systemChromium } from '../chromium.mjs';
import { fmt, log } from './common';
import { exportCsv, timed } from './http';
import { ingestVersusNoop } from './load';
import { analyzeStore, storeBytes } from './store';

/** The steps: 100,000, 1,000,000, then tenfold up to `calls` (always ending on it). */
export function growthSteps(calls: number): number[] {
  const steps: number[] = [];
  for (let n = 100_000; n < calls; n *= 10) steps.push(n);
  steps.push(calls);
  return steps;
}

/** A board request and its budget: p50 in ms over `runs` requests after two warm-up ones. */
interface Board {
  name: string;
  query: string;
  budgetMs: number;
}

const DAY = 86_400_000;

function boards(now: number): Board[] {
  const midnight = Math.floor(now / DAY) * DAY;
  return [
    { name: 'Board, all calls, all time (GET /api/dashboard)', query: '', budgetMs: 50 },
    { name: 'All time, completed calls only', query: '?status=completed', budgetMs: 100 },
    { name: 'All time, failed calls only (the rarest status)', query: '?status=failed', budgetMs: 100 },
    { name: 'All time, one line', query: `?line=${encodeURIComponent('+18005550111')}`, budgetMs: 100 },
    {
      name: 'All time, one line, busy calls only',
      query: `?line=${encodeURIComponent('+18005550111')}&status=busy`,
      budgetMs: 100,
    },
    { name: 'All time, outbound legs', query: '?direction=outbound-dial', budgetMs: 100 },
    {
      name: 'A week of completed calls',
      query: `?from=${midnight - 6 * DAY}&status=completed`,
      budgetMs: 100,
    },
    // The one filter the rollups cannot keep: it reads a day's calls through the start-time index.
    // The last 24 hours rather than today, which would hold what the hour of the run leaves of it.
    {
      name: 'Caller search, last 24 hours (reads calls)',
      query: `?from=${now - DAY}&caller=4155`,
      budgetMs: 100,
    },
  ];
}

/** The TV view's first contentful paint, in a fresh Chromium page, ms. */
async function firstPaint(server: RunningServer): Promise<number> {
  const browser = await chromium.launch({ executablePath: systemChromium(), args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const [name, value] = server.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/?view=tv`);
    await page.getByTestId('kpi-total-calls-value').waitFor();
    return await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    );
  } finally {
    await browser.close();
  }
}

interface Cell {
  text: string;
  met: boolean;
}
interface GrowthRow {
  measure: string;
  budget: string;
  cells: Cell[];
}

/**
 * Runs the steps; `start` starts the server on the bench's store and `url` is that store. Prints the
 * table and returns how many rows missed their budget at some step.
 */
export async function growthRun(
  url: string,
  start: () => Promise<RunningServer>,
  calls: number,
  days = 28,
): Promise<number> {
  const steps = growthSteps(calls);
  const rows = new Map<string, GrowthRow>();
  const add = (measure: string, budget: string, cell: Cell) => {
    const row = rows.get(measure) ?? rows.set(measure, { measure, budget, cells: [] }).get(measure)!;
    row.cells.push(cell);
  };
  let stored = 0;
  for (const step of steps) {
    log(
      `growth: seeding ${fmt(step - stored)} calls (to ${fmt(step)}, over ${days} days) through the storage layer`,
    );
    const seconds = await seed(url, step - stored, days);
    const perMillion = (seconds * 1_000_000) / (step - stored);
    add('Seed: seconds per 1,000,000 calls (this step)', '≤ 60 s', {
      text: `${fmt(perMillion, 1)} s (${fmt((step - stored) / seconds)} calls/s)`,
      met: perMillion <= 60,
    });
    stored = step;
    await analyzeStore(url);
    const bytes = await storeBytes(url);
    add('Store size (per 1,000,000 calls)', '', {
      text: `${fmt(bytes / 1_048_576)} MB (${fmt(bytes / 1_048_576 / (stored / 1_000_000))} MB)`,
      met: true,
    });

    const server = await start();
    try {
      const now = Date.now();
      for (const b of boards(now)) {
        const t = await timed(`${server.url}/api/dashboard${b.query}`, server.cookie, 10);
        add(b.name, `p50 ≤ ${b.budgetMs} ms`, {
          text: `${fmt(t.p50, 1)} ms (max ${fmt(t.max, 1)})`,
          met: t.p50 <= b.budgetMs,
        });
      }
      const paint = await firstPaint(server);
      add('First KPI paint, TV view (Chromium)', '≤ 1,000 ms', {
        text: `${fmt(paint)} ms`,
        met: paint <= 1000,
      });
      log(`growth: exporting ${fmt(stored)} calls`);
      const csv = await exportCsv(server);
      add('Export: rows/s (RSS growth)', '≥ 250,000 rows/s, ≤ 64 MB', {
        text: `${fmt(csv.rowsPerSecond)} (+${fmt(csv.growth, 1)} MB)`,
        met: csv.rowsPerSecond >= 250_000 && csv.growth <= 64 && csv.rows >= stored,
      });
      const ingest = await ingestVersusNoop(server, `${fmt(stored)} stored`);
      add('Ingest: ratio to the do-nothing route (median of interleaved pairs, spread)', '≥ 0.85', {
        text: `${fmt(ingest.ratio, 2)} (${fmt(ingest.spread[0], 2)}–${fmt(ingest.spread[1], 2)}; ${fmt(ingest.ingest.rps)}/s)`,
        met: ingest.ratio >= 0.85 && ingest.ingest.errors === 0,
      });
      // What ingest added, so the next step seeds to its figure exactly.
      stored = Number(
        (await (await fetch(`${server.url}/api/dashboard`, { headers: { cookie: server.cookie } })).json())
          .totals.calls,
      );
    } finally {
      await server.stop();
    }
  }

  const header = ['Measure', ...steps.map((s) => `${fmt(s)} stored`), 'Budget', ''];
  const table = [
    header,
    header.map(() => '---'),
    ...[...rows.values()].map((r) => [
      r.measure,
      ...r.cells.map((c) => `${c.text}${c.met ? '' : ' MISSED'}`),
      r.budget,
      r.budget === '' ? '' : r.cells.every((c) => c.met) ? 'met' : 'MISSED',
    ]),
  ];
  console.log(table.map((cells) => `| ${cells.join(' | ')} |`).join('\n'));
  const missed = [...rows.values()].filter((r) => r.budget !== '' && !r.cells.every((c) => c.met)).length;
  console.log(
    `\n${rows.size} rows, ${missed} with a step that missed its budget (growth run, ${store(steps)} calls over ${days} days)`,
  );
  return missed;
}

const store = (steps: number[]) => steps.map((s) => fmt(s)).join(' → ');
