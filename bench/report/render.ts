import { createCanvas, SvgExportFlag, type Canvas, type SvgCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';

/**
 * The only module that knows how charts become pixels: Chart.js drawing on a Skia canvas
 * (@napi-rs/canvas, prebuilt, no system libraries). Everything else hands it a Chart.js config.
 */

Chart.register(...registerables);
// Sized to be read on a slide, not only on a screen.
Chart.defaults.font.size = 18;
Chart.defaults.font.family = 'DejaVu Sans, Helvetica, Arial, sans-serif';
Chart.defaults.color = '#222222';

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

export interface ChartSize {
  width: number;
  height: number;
}

export const SLIDE: ChartSize = { width: 1200, height: 675 };

/** Draws a Chart.js config on a canvas of either kind and takes the picture before the chart is destroyed (which clears it). */
function draw<C extends Canvas | SvgCanvas, T>(canvas: C, config: ChartConfiguration, take: (canvas: C) => T): T {
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [whiteBackground, ...(config.plugins ?? [])],
  });
  const picture = take(canvas);
  chart.destroy();
  return picture;
}

export function renderPng(config: ChartConfiguration, size: ChartSize = SLIDE): Buffer {
  return draw(createCanvas(size.width, size.height), config, (canvas) => canvas.toBuffer('image/png'));
}

/**
 * A figure for a slide: rows of charts side by side, each row `size` (text as paths in the SVG: no
 * fonts needed to view it).
 */
export function renderFigure(rows: ChartConfiguration[][], size: ChartSize): { png: Buffer; svg: string } {
  const total = { width: size.width, height: size.height * rows.length };
  const sheet = createCanvas(total.width, total.height);
  const panels = rows.flatMap((configs, row) => {
    const width = Math.floor(size.width / configs.length);
    return configs.map((config, index) => {
      const [x, y] = [index * width, row * size.height];
      draw(createCanvas(width, size.height), config, (panel) => sheet.getContext('2d').drawImage(panel, x, y));
      const svg = draw(createCanvas(width, size.height, SvgExportFlag.ConvertTextToPaths), config, (panel) => panel.getContent().toString('utf8'));
      // Each panel is an SVG document of its own: nested, shifted to its place.
      return svg.replace(/^<\?xml[^>]*>\s*/, '').replace('<svg ', `<svg x="${x}" y="${y}" `);
    });
  });
  const svg = `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${total.width}" height="${total.height}" viewBox="0 0 ${total.width} ${total.height}">\n${panels.join('\n')}\n</svg>\n`;
  return { png: sheet.toBuffer('image/png'), svg };
}
