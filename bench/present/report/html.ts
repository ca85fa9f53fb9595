import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Marked, Renderer, type Tokens } from 'marked';
import type { ChartConfig } from './charts.ts';
import { CHART_STYLE, type ChartSize } from './render.ts';

/**
 * report.html: report.md as one self-contained page whose charts are live. Each image of a chart
 * the report drew becomes a canvas that Chart.js (inlined, with the zoom plugin) draws in the
 * browser from the very config the PNG was rendered from: hover values, legend toggles, zoom on
 * numeric x axes, tables that sort. Nothing is fetched from the network.
 */

export interface LiveChart {
  /** the PNG's file name, as the markdown links it */
  file: string;
  /** one chart, or several side by side (a figure), row after row */
  panels: ChartConfig[];
  /** panels per row (default: all in one row) */
  columns?: number;
  /** the PNG's size: the page keeps its proportions and draws it no wider */
  size: ChartSize;
}

const require = createRequire(import.meta.url);
const zoomPlugin = require.resolve('chartjs-plugin-zoom/dist/chartjs-plugin-zoom.min.js');
const LIBRARIES = [
  // chart.js exports no path to its browser build: it sits beside the package's main file.
  join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
  // the zoom plugin pans with Hammer when it is there
  createRequire(zoomPlugin).resolve('hammerjs/hammer.min.js'),
  zoomPlugin,
];

/** Sentences, not numbers: cells this long on average wrap within the page rather than scroll (FIGURES.md's claims). */
const PROSE_CELL = 80;

function proseTable(token: Tokens.Table): boolean {
  const cells = token.rows.flat();
  return cells.length > 0 && cells.reduce((sum, c) => sum + c.text.length, 0) / cells.length > PROSE_CELL;
}

/** `script`: the page's own browser code, run after the charts are drawn (history report's filters). */
export function renderHtml(markdown: string, charts: LiveChart[], script = ''): string {
  const index = new Map(charts.map((chart, i) => [chart.file, i]));
  const marked = new Marked({
    renderer: {
      table(this: Renderer, token: Tokens.Table) {
        const html = Renderer.prototype.table.call(this, token);
        return proseTable(token) ? html.replace('<table>', '<table class="prose">') : html;
      },
      image({ href, text }: Tokens.Image) {
        const i = index.get(href);
        if (i === undefined) return false; // not a chart: marked's own <img>
        const { panels, size, columns = panels.length } = charts[i]!;
        const canvases = panels.map(
          (_, panel) =>
            `<span class="panel"><canvas data-chart="${i}" data-panel="${panel}" role="img" aria-label="${escapeHtml(text)}"></canvas></span>`,
        );
        return `<span class="chart" style="--width: ${size.width}px"><span class="panels" style="--columns: ${columns}">${canvases.join('')}</span></span>`;
      },
    },
  });
  const title = /^# (.*)$/m.exec(markdown)?.[1] ?? 'gilbench report';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${marked.parse(markdown, { async: false })}
</main>
<script type="application/json" id="chart-configs">${scriptSafe(JSON.stringify(charts.map((c) => ({ aspectRatio: c.size.width / (c.columns ?? c.panels.length) / (c.size.height / Math.ceil(c.panels.length / (c.columns ?? c.panels.length))), panels: withFunctionsAsSource(c.panels) }))))}</script>
<script type="application/json" id="chart-style">${scriptSafe(JSON.stringify(CHART_STYLE))}</script>
${LIBRARIES.map((file) => `<script>${scriptSafe(readFileSync(file, 'utf8'))}</script>`).join('\n')}
<script>${BROWSER_SCRIPT}</script>
${script ? `<script>${scriptSafe(script)}</script>\n` : ''}</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Nothing inside a <script> may close it early. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

/**
 * Chart configs hold functions (tick labels, the whisker plugin): they travel as their source and
 * the page turns them back into functions. So a function in a chart config must use only its
 * arguments and globals, never a variable of the module that made it.
 */
function withFunctionsAsSource(value: unknown): unknown {
  if (typeof value === 'function') return { __function: expressionOf(value.toString()) };
  if (Array.isArray(value)) return value.map(withFunctionsAsSource);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withFunctionsAsSource(v)]));
  return value;
}

/** A method's source ("afterDraw(chart) {…}") is no expression; a function's or an arrow's is. */
function expressionOf(source: string): string {
  try {
    new Function(`return (${source});`);
    return source;
  } catch {
    return `function ${source}`;
  }
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; } h3 { margin-top: 2rem; }
/* A wide run table scrolls inside the page, its first column (the mode) kept in view. */
table { border-collapse: collapse; display: block; overflow-x: auto; font-size: .85rem; margin: 1rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; white-space: nowrap; background: #fff; }
th { background: #f4f4f4; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
tbody tr:nth-child(even) td { background: #fafafa; }
th:first-child, td:first-child { position: sticky; left: 0; z-index: 1; box-shadow: 1px 0 0 #ddd; }
/* A table of sentences (FIGURES.md's claims) wraps within the page instead. */
table.prose { display: table; width: 100%; table-layout: fixed; }
table.prose th, table.prose td { white-space: normal; overflow-wrap: anywhere; }
table.prose th:first-child, table.prose td:first-child { position: static; width: 2rem; }
code { font-size: .9em; background: #f4f4f4; padding: 0 .2em; border-radius: 3px; }
pre { background: #f4f4f4; padding: .5rem; overflow-x: auto; }
/* As wide as the PNG where the window allows, centred on the text: a two-panel figure reaches beyond it. */
.chart { display: block; width: min(96vw, var(--width)); margin: 1.5rem 0 1.5rem calc(50% - min(48vw, var(--width) / 2)); }
.chart .panels { display: grid; grid-template-columns: repeat(var(--columns), minmax(0, 1fr)); }
.chart .panel { display: block; position: relative; }
.chart .hint { display: block; font-size: .8rem; color: #666; }
details { margin: .5rem 0; } summary { cursor: pointer; }
`;

/** The page's own code: plain browser JavaScript, run once the libraries above are loaded. */
const BROWSER_SCRIPT = `
(() => {
  const revive = (value) =>
    Array.isArray(value) ? value.map(revive)
    : value && typeof value === 'object'
      ? ('__function' in value ? new Function('return (' + value.__function + ');')() : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)])))
      : value;
  const configs = revive(JSON.parse(document.getElementById('chart-configs').textContent));
  const style = JSON.parse(document.getElementById('chart-style').textContent);
  Chart.register(ChartZoom);
  Object.assign(Chart.defaults.font, style.font);
  Chart.defaults.color = style.color;

  // Zoom where x is a number (time, workers, connections): drag a box or use the wheel; shift-drag pans; double-click resets.
  const zoomable = (config) => { const x = config.options?.scales?.x; return x && (x.type === 'linear' || x.type === 'logarithmic'); };
  const interactive = (config, aspectRatio) => {
    const options = config.options ?? {};
    const zoom = zoomable(config)
      ? { zoom: { drag: { enabled: true }, wheel: { enabled: true }, mode: 'x' }, pan: { enabled: true, mode: 'x', modifierKey: 'shift' }, limits: { x: { min: 'original', max: 'original' } } }
      : { zoom: { drag: { enabled: false }, wheel: { enabled: false } }, pan: { enabled: false } };
    const interaction = config.type === 'line' ? { mode: 'nearest', axis: 'x', intersect: false } : { mode: 'index', intersect: false };
    return { ...config, options: { ...options, responsive: true, maintainAspectRatio: true, aspectRatio, interaction, plugins: { ...options.plugins, zoom } } };
  };
  for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
    const { aspectRatio, panels } = configs[Number(canvas.dataset.chart)];
    const config = panels[Number(canvas.dataset.panel)];
    const chart = new Chart(canvas, interactive(config, aspectRatio));
    if (zoomable(config)) canvas.addEventListener('dblclick', () => chart.resetZoom());
  }
  for (const figure of document.querySelectorAll('.chart')) {
    const hint = document.createElement('span');
    hint.className = 'hint';
    const zooms = [...figure.querySelectorAll('canvas')].some((canvas) => zoomable(Chart.getChart(canvas).config));
    hint.textContent = 'Hover for values; click a legend entry to hide its series.' + (zooms ? ' Drag across a numeric x axis or use the wheel to zoom (shift-drag pans, double-click resets).' : '');
    figure.append(hint);
  }

  // Click a column's header to sort its rows; numbers (the leading one of "1.07x", "99 / 109") sort as numbers.
  const key = (cell) => { const text = cell.textContent.trim().replace(/,/g, ''); const n = parseFloat(text); return Number.isNaN(n) ? text : n; };
  const compare = (a, b) => typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  for (const table of document.querySelectorAll('table')) {
    const headers = [...table.querySelectorAll('thead th')];
    headers.forEach((th, column) => th.addEventListener('click', () => {
      const order = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      headers.forEach((other) => other.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', order);
      const body = table.tBodies[0];
      const rows = [...body.rows].sort((a, b) => compare(key(a.cells[column]), key(b.cells[column])) * (order === 'ascending' ? 1 : -1));
      body.append(...rows);
    }));
  }
})();
`;
