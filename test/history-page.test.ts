import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { main } from '../bench/cli/main.ts';
import { browserMissing, launchBrowser } from './browser.ts';
import { historyAdds, tempDir } from './helpers.ts';

/** What the test reads of a trend chart on the page: Chart.js's own objects. */
interface PageChart {
  scales: { x: { min: number; max: number } };
  chartArea: { left: number; right: number; top: number; bottom: number };
  tooltip: { title: string[] };
  getDatasetMeta(index: number): { data: { x: number; y: number }[] };
}
type WithChart = { Chart: { getChart(canvas: Element | undefined): PageChart } };

const missing = browserMissing('history page');

/** The trend page of the six-commit fixture store (test/history.test.ts says how it was made). */
async function trendPage(): Promise<string> {
  const dir = tempDir();
  const store = join(dir, 'store');
  for (const add of historyAdds(store)) assert.equal(await main(add), 0);
  assert.equal(await main(['history', 'report', '--store', store, '--out', join(dir, 'page')]), 0);
  return join(dir, 'page', 'index.html');
}

test('the trend page in a real browser: offline, no errors, a live chart per series, hover names the commit, filters, zoom', {
  skip: missing,
}, async () => {
  const page = await trendPage();
  const series = readFileSync(page, 'utf8').match(/<section class="trend"/g)!.length;
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    const tab = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    tab.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    tab.on('pageerror', (error) => errors.push(error.message));
    tab.on('request', (request) => request.url().startsWith('file:') || requests.push(request.url()));
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(requests, [], 'the page asks the network for nothing');
    assert.equal(await tab.locator('canvas').count(), series, 'one chart per series');
    const drawn = await tab.evaluate(() =>
      [...document.querySelectorAll('canvas')].every(
        (c) => Boolean((window as unknown as WithChart).Chart.getChart(c)) && c.width > 0,
      ),
    );
    assert.ok(drawn, 'Chart.js drew every chart');
    const settled = () =>
      tab.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

    // Hover over the first chart's fifth commit: the tooltip names it.
    const first = tab.locator('canvas').first();
    await first.scrollIntoViewIfNeeded();
    const box = (await first.boundingBox())!;
    const point = await tab.evaluate(
      () =>
        (window as unknown as WithChart).Chart.getChart(document.querySelector('canvas')!).getDatasetMeta(0).data[4]!,
    );
    await tab.mouse.move(box.x + point.x, box.y + point.y);
    await settled();
    const title = await tab.evaluate(
      () => (window as unknown as WithChart).Chart.getChart(document.querySelector('canvas')!).tooltip.title,
    );
    assert.match(title[0] ?? '', /^commit c5, 2025-01-05/, 'hover names the commit and its date');

    // Drag across the chart: it zooms into a range of commits.
    const area = await tab.evaluate(
      () => (window as unknown as WithChart).Chart.getChart(document.querySelector('canvas')!).chartArea,
    );
    const y = box.y + (area.top + area.bottom) / 2;
    await tab.mouse.move(box.x + area.left + 0.2 * (area.right - area.left), y);
    await tab.mouse.down();
    await tab.mouse.move(box.x + area.left + 0.6 * (area.right - area.left), y, { steps: 5 });
    await tab.mouse.up();
    await settled();
    const range = await tab.evaluate(() => {
      const x = (window as unknown as WithChart).Chart.getChart(document.querySelector('canvas')!).scales.x;
      return x.max - x.min;
    });
    assert.ok(range < 6 * 0.6, `dragging zooms into fewer commits: ${range}`);
    await first.dblclick();
    await settled();
    const reset = await tab.evaluate(() => {
      const x = (window as unknown as WithChart).Chart.getChart(document.querySelector('canvas')!).scales.x;
      return x.max - x.min;
    });
    assert.equal(reset, 6, 'a double-click shows every commit again');

    // Filter by mode, then by whether a series has change points.
    const visible = () =>
      tab.evaluate(
        () => [...document.querySelectorAll('section.trend')].filter((s) => !(s as HTMLElement).hidden).length,
      );
    assert.equal(await visible(), series);
    await tab.selectOption('select[name="mode"]', 'serial');
    const serial = await visible();
    assert.ok(serial > 0 && serial < series, `${serial} serial series of ${series}`);
    assert.match((await tab.locator('#shown').textContent()) ?? '', new RegExp(`^${serial} of ${series} series shown`));
    await tab.selectOption('select[name="mode"]', '');
    await tab.selectOption('select[name="changes"]', 'with change points');
    const changed = await tab.evaluate(() =>
      [...document.querySelectorAll('section.trend')]
        .filter((s) => !(s as HTMLElement).hidden)
        .map((s) => s.querySelector('h3')!.textContent),
    );
    assert.ok(
      changed.length > 0 && changed.every((heading) => /^tasks\.py:count\/.*wall time/.test(heading ?? '')),
      JSON.stringify(changed),
    );

    await tab.selectOption('select[name="changes"]', '');
    const screenshot = '/tmp/gilbench-history-page.png';
    await tab.screenshot({ path: screenshot, fullPage: true });
    assert.deepEqual(errors, [], 'no console errors after interacting');
    console.log(`# trend page screenshot: ${screenshot}`);
  } finally {
    await browser.close();
  }
});
