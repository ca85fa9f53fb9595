import { createCanvas } from '@napi-rs/canvas';
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

export function renderPng(config: ChartConfiguration, size: ChartSize = SLIDE): Buffer {
  const canvas = createCanvas(size.width, size.height);
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [whiteBackground, ...(config.plugins ?? [])],
  });
  const png = canvas.toBuffer('image/png');
  chart.destroy();
  return png;
}
