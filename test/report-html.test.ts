import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { browserMissing, launchBrowser } from './browser.ts';
import { tempDir } from './helpers.ts';

/** What the test reads of a chart on the page: Chart.js's own objects, its legend's hit boxes included. */
interface PageChart {
  data: { datasets: unknown[] };
  isDatasetVisible(index: number): boolean;
  scales: { x: { type: string; min: number; max: number } };
  legend: { legendHitBoxes: { left: number; top: number; width: number; height: number }[] };
  chartArea: { left: number; right: number; top: number; bottom: number };
}
/** The page's Chart.js, as the report's script leaves it on window. */
type WithChart = { Chart: { getChart(canvas: Element | undefined): PageChart } };

const CLI = join(import.meta.dirname, '..', 'scripts', 'gilbench.ts');

const missing = browserMissing('report.html');

/** The canvas of chart `index` as the page drew it, and the chart's state. */
type ChartState = {
  visible: boolean[];
  xRange: number | undefined;
  box: { x: number; y: number };
  legend: { x: number; y: number }[];
};

test('report.html in a real browser: no errors, offline, one live canvas per chart, legend toggles, zoom, sortable tables', {
  skip: missing,
}, async () => {
  const out = tempDir();
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'run',
      '--workloads',
      'countdown',
      '--modes',
      'serial,threads',
      '--workers',
      '1,2',
      '--repeat',
      '2',
      '--warmup',
      '0',
      '--param',
      'n=2000000',
      '--sample-interval',
      '20',
      '--out',
      out,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const runDir = join(out, readlinkSync(join(out, 'latest')));
  const charts = [...readFileSync(join(runDir, 'report.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+\.png)\)/g)].length;
  assert.ok(charts >= 3, `report.md shows the countdown's charts (${charts})`);

  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => request.url().startsWith('file:') || requests.push(request.url()));
    await page.goto(pathToFileURL(join(runDir, 'report.html')).href, { waitUntil: 'load' });

    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(requests, [], 'the page asks the network for nothing');
    assert.equal(await page.locator('canvas').count(), charts, 'one canvas per chart of report.md');
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map(
        (c) => Boolean((window as unknown as WithChart).Chart.getChart(c)) && c.width > 0,
      ),
    );
    assert.deepEqual(
      drawn,
      drawn.map(() => true),
      'Chart.js drew every canvas',
    );
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, the text as a reader sees it
    assert.match(await page.locator('main').innerText(), /threads at W=2: .*x serial/, 'the verdict lines are there');

    const state = (index: number) =>
      page.evaluate((i): ChartState => {
        const canvas = document.querySelectorAll('canvas')[i]!;
        const chart = (window as unknown as WithChart).Chart.getChart(canvas);
        const rect = canvas.getBoundingClientRect();
        return {
          visible: chart.data.datasets.map((_, d) => chart.isDatasetVisible(d)),
          xRange: chart.scales.x.type === 'category' ? undefined : chart.scales.x.max - chart.scales.x.min,
          box: { x: rect.left, y: rect.top },
          legend: chart.legend.legendHitBoxes.map((b) => ({
            x: rect.left + b.left + b.width / 2,
            y: rect.top + b.top + b.height / 2,
          })),
        };
      }, index);

    // Chart.js handles mouse events on the next animation frame, not inside the event: let two frames pass before reading.
    const settled = () =>
      page.evaluate(
        () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
      );

    // The CPU timeline: a legend click hides the first series; dragging across the plot zooms into time.
    const timeline = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].findIndex((c) =>
        /CPU over time/.test(c.getAttribute('aria-label') ?? ''),
      ),
    );
    assert.ok(timeline >= 0, 'the CPU timeline is on the page');
    await page.locator('canvas').nth(timeline).scrollIntoViewIfNeeded();
    const before = await state(timeline);
    assert.equal(before.visible[0], true);
    await page.mouse.click(before.legend[0]!.x, before.legend[0]!.y);
    await settled();
    assert.equal((await state(timeline)).visible[0], false, 'a legend click hides the series');
    const plot = await page.evaluate((i) => {
      const area = (window as unknown as WithChart).Chart.getChart(document.querySelectorAll('canvas')[i]).chartArea;
      return { left: area.left, right: area.right, middle: (area.top + area.bottom) / 2 };
    }, timeline);
    const y = before.box.y + plot.middle;
    await page.mouse.move(before.box.x + plot.left + 0.3 * (plot.right - plot.left), y);
    await page.mouse.down();
    await page.mouse.move(before.box.x + plot.left + 0.5 * (plot.right - plot.left), y, { steps: 5 });
    await page.mouse.up();
    await settled();
    const zoomed = (await state(timeline)).xRange!;
    assert.ok(zoomed < before.xRange! * 0.5, `dragging zooms into time: ${before.xRange} s → ${zoomed} s`);

    // The countdown's table sorts by median wall time when its header is clicked.
    const header = page.locator('th', { hasText: 'median wall (s)' }).first();
    await header.click();
    const column = await header.evaluate((th) => {
      const table = th.closest('table')!;
      const index = [...th.parentElement!.children].indexOf(th);
      return [...table.tBodies[0]!.rows].map((row) => Number(row.cells[index]!.textContent));
    });
    assert.deepEqual(
      column,
      [...column].sort((a, b) => a - b),
      'rows sorted by the clicked column',
    );

    // A run table wider than the page scrolls, its first column (the mode) kept in view.
    const kept = await header.evaluate((th) => {
      const table = th.closest('table')!;
      table.scrollLeft = table.scrollWidth;
      const first = table.tBodies[0]!.rows[0]!.cells[0]!.getBoundingClientRect();
      return { scrolled: table.scrollLeft > 0, firstLeft: first.left, tableLeft: table.getBoundingClientRect().left };
    });
    assert.ok(kept.scrolled, 'the table is wider than the page: it scrolls');
    assert.ok(
      Math.abs(kept.firstLeft - kept.tableLeft) < 2,
      `the first column stays at the table's left edge: ${JSON.stringify(kept)}`,
    );

    const screenshot = join(runDir, 'report-html.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.equal(readFileSync(screenshot).subarray(1, 4).toString(), 'PNG');
    assert.deepEqual(errors, [], 'no console errors after interacting');
    console.log(`# report.html screenshot: ${screenshot}`);
  } finally {
    await browser.close();
  }
});

test("FIGURES.html at 1280 px: every claim's verdict cells, with the GIL and without it, start inside the window, and the page is no wider", {
  skip: missing,
}, async () => {
  // Two committed real runs: the countdown on 3.11.7 and 3.13.0 (the second marked as a build without a GIL), and a fetch run.
  const out = tempDir();
  const countdown = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'two-interpreters.json'), 'utf8'));
  countdown.interpreters[1] = { ...countdown.interpreters[1], gilEnabled: false, freeThreadedBuild: true };
  for (const [experiment, results] of [
    ['gil-cpu', countdown],
    ['io-bound', JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'fetch.json'), 'utf8'))],
  ]) {
    mkdirSync(join(out, 'data', experiment), { recursive: true });
    writeFileSync(join(out, 'data', experiment, 'results.json'), JSON.stringify(results));
  }
  const drawn = spawnSync(
    process.execPath,
    ['--import', 'tsx', CLI, 'figures', '--only', 'gil-cpu,io-bound', '--render', '--out', out],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(drawn.status, 0, drawn.stderr);
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true })).newPage();
    await page.goto(pathToFileURL(join(out, 'FIGURES.html')).href, { waitUntil: 'load' });
    const layout = await page.evaluate(() => {
      const table = document.querySelector('table')!;
      const verdicts = [...table.tBodies[0]!.rows].flatMap((row) =>
        [...row.cells].slice(2).map((cell) => cell.getBoundingClientRect()),
      );
      return {
        pageWidth: document.documentElement.scrollWidth,
        window: window.innerWidth,
        verdicts: verdicts.map((r) => ({ left: r.left, right: r.right })),
      };
    });
    assert.ok(
      layout.pageWidth <= layout.window,
      `the page is ${layout.pageWidth} px wide in a ${layout.window} px window`,
    );
    assert.equal(layout.verdicts.length, 4, 'two claims, each with a verdict with the GIL and one without');
    for (const box of layout.verdicts)
      assert.ok(box.left >= 0 && box.right <= layout.window, `a verdict cell lies at ${box.left}–${box.right} px`);
  } finally {
    await browser.close();
  }
});
