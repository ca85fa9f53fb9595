import { type Canvas, createCanvas, type SvgCanvas, SvgExportFlag } from '@napi-rs/canvas';
import { Chart, type ChartConfiguration, type Plugin, registerables } from 'chart.js';

/**
 * How charts become PNG and SVG files: Chart.js drawing on a Skia canvas (@napi-rs/canvas,
 * prebuilt, no system libraries). Everything else hands it a Chart.js config (report.html hands
 * the same configs to Chart.js in the browser: html.ts).
 */

export interface ChartSize {
  width: number;
  height: number;
}

export const SLIDE: ChartSize = { width: 1200, height: 675 };

/** Text sized to be read on a slide, not only on a screen; report.html draws with the same. */
export const CHART_STYLE = {
  font: { size: 18, family: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
  color: '#222222',
};

/** PNGs keep their layout (sizes are in CSS pixels) at twice the pixels: sharp on a projector or a HiDPI screen. */
const PNG_PIXEL_RATIO = 2;

Chart.register(...registerables);
Object.assign(Chart.defaults.font, CHART_STYLE.font);
Chart.defaults.color = CHART_STYLE.color;

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * Draws a Chart.js config on a canvas of either kind, `pixelRatio` device pixels per CSS pixel,
 * and takes the picture before the chart is destroyed (which clears it).
 */
function draw<C extends Canvas | SvgCanvas, T>(
  canvas: C,
  config: ChartConfiguration,
  pixelRatio: number,
  take: (canvas: C) => T,
): T {
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: pixelRatio },
    plugins: [whiteBackground, ...(config.plugins ?? [])],
  });
  const picture = take(canvas);
  chart.destroy();
  return picture;
}

export function renderPng(config: ChartConfiguration, size: ChartSize = SLIDE): Buffer {
  return draw(createCanvas(size.width, size.height), config, PNG_PIXEL_RATIO, (canvas) => canvas.toBuffer('image/png'));
}

/**
 * A figure for a slide: rows of charts side by side, each row `size`, as PNG (at twice the pixels)
 * and as SVG (text as paths: no fonts needed to view it).
 */
export function renderFigure(rows: ChartConfiguration[][], size: ChartSize): { png: Buffer; svg: string } {
  const total = { width: size.width, height: size.height * rows.length };
  const sheet = createCanvas(total.width * PNG_PIXEL_RATIO, total.height * PNG_PIXEL_RATIO);
  const panels = rows.flatMap((configs, row) => {
    const width = Math.floor(size.width / configs.length);
    return configs.map((config, index) => {
      const [x, y] = [index * width, row * size.height];
      draw(createCanvas(width, size.height), config, PNG_PIXEL_RATIO, (panel) =>
        sheet.getContext('2d').drawImage(panel, x * PNG_PIXEL_RATIO, y * PNG_PIXEL_RATIO),
      );
      const svg = draw(createCanvas(width, size.height, SvgExportFlag.ConvertTextToPaths), config, 1, (panel) =>
        panel.getContent().toString('utf8'),
      );
      // Each panel is an SVG document of its own: nested, shifted to its place.
      return svg.replace(/^<\?xml[^>]*>\s*/, '').replace('<svg ', `<svg x="${x}" y="${y}" `);
    });
  });
  const svg = `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${total.width}" height="${total.height}" viewBox="0 0 ${total.width} ${total.height}">\n${panels.join('\n')}\n</svg>\n`;
  return { png: sheet.toBuffer('image/png'), svg };
}
