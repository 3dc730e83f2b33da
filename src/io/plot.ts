import { UsageError } from '../errors';

/** One line (or set of points) of a chart. */
export interface Series {
  name: string;
  y: readonly number[];
  /** x of each y (default 0, 1, 2, …). */
  x?: readonly number[];
  /** `#rrggbb`; default from the palette, in order. */
  color?: string;
  /** Draw dashes instead of a solid line. */
  dashed?: boolean;
  /** Draw a dot at every point and no line. */
  points?: boolean;
  /** Line width in pixels (default 2). */
  width?: number;
}

export interface PlotOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** A logarithmic y axis (for losses spanning decades); values ≤ 0 are left out. */
  logY?: boolean;
}

/** Colours that stay apart for readers with the common colour-vision deficiencies. */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];
const FONT = 'DejaVu Sans, Arial, sans-serif';

/** Renders a line chart as a standalone SVG document: axes, ticks, grid, legend, title. */
export function linePlot(series: readonly Series[], options: PlotOptions): string {
  if (series.length === 0) throw new UsageError(`linePlot '${options.title}': no series`);
  const width = options.width ?? 760;
  const height = options.height ?? 440;
  const logY = options.logY ?? false;
  const margin = { left: 78, right: 24, top: 46, bottom: options.xLabel ? 58 : 36 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  const prepared = series.map((s, k) => {
    if (s.x && s.x.length !== s.y.length) {
      throw new UsageError(`linePlot '${options.title}': series '${s.name}' has ${s.x.length} x values and ${s.y.length} y values`);
    }
    const color = s.color ?? PALETTE[k % PALETTE.length];
    if (!/^#[0-9a-f]{6}$/i.test(color)) throw new UsageError(`linePlot: colour of '${s.name}' must be #rrggbb, got '${color}'`);
    const pts: [number, number][] = [];
    s.y.forEach((y, i) => {
      const x = s.x ? s.x[i] : i;
      // A gap (NaN) breaks the line; on a log axis so does a value ≤ 0.
      pts.push([x, logY ? (y > 0 ? Math.log10(y) : NaN) : y]);
    });
    return { ...s, color, pts };
  });
  const finite = (v: number): boolean => Number.isFinite(v);
  const xs = prepared.flatMap((s) => s.pts.filter((p) => finite(p[1])).map((p) => p[0])).filter(finite);
  const ys = prepared.flatMap((s) => s.pts.map((p) => p[1])).filter(finite);
  const [x0, x1] = range(xs);
  const [y0, y1] = range(ys);
  // x spans the data exactly (a series has a first and a last point); y gets round ends.
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(plotW / 70))).filter((t) => t >= x0 - 1e-9 * (x1 - x0) && t <= x1 + 1e-9 * (x1 - x0));
  const yTicks = logY ? logTicks(y0, y1) : niceTicks(y0, y1, Math.max(2, Math.floor(plotH / 55)));
  const yLo = Math.min(y0, yTicks[0]);
  const yHi = Math.max(y1, yTicks[yTicks.length - 1]);
  const px = (x: number): number => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number): number => margin.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${coord(width / 2)}" y="28" font-size="17" font-weight="bold" text-anchor="middle" fill="#222222">${escapeXml(options.title)}</text>`);

  // grid and ticks
  out.push(`<g stroke="#e3e3e3" stroke-width="1">`);
  for (const t of xTicks) out.push(`<line x1="${coord(px(t))}" y1="${margin.top}" x2="${coord(px(t))}" y2="${margin.top + plotH}"/>`);
  for (const t of yTicks) out.push(`<line x1="${margin.left}" y1="${coord(py(t))}" x2="${margin.left + plotW}" y2="${coord(py(t))}"/>`);
  out.push(`</g>`);
  out.push(`<g font-size="12" fill="#333333">`);
  const xStep = xTicks.length > 1 ? xTicks[1] - xTicks[0] : 1;
  for (const t of xTicks) {
    out.push(`<text x="${coord(px(t))}" y="${margin.top + plotH + 18}" text-anchor="middle">${tickLabel(t, xStep)}</text>`);
  }
  const yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  for (const t of yTicks) {
    const label = logY ? tickLabel(10 ** t, 10 ** t) : tickLabel(t, yStep);
    out.push(`<text x="${margin.left - 8}" y="${coord(py(t) + 4)}" text-anchor="end">${label}</text>`);
  }
  out.push(`</g>`);
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#555555" stroke-width="1"/>`);
  if (options.xLabel) {
    out.push(`<text x="${coord(margin.left + plotW / 2)}" y="${height - 14}" font-size="13" text-anchor="middle" fill="#222222">${escapeXml(options.xLabel)}</text>`);
  }
  if (options.yLabel) {
    const cy = margin.top + plotH / 2;
    const label = escapeXml(options.yLabel + (logY ? ' (log scale)' : ''));
    out.push(`<text x="18" y="${coord(cy)}" font-size="13" text-anchor="middle" fill="#222222" transform="rotate(-90 18 ${coord(cy)})">${label}</text>`);
  }

  // data, clipped to the plot area
  out.push(`<clipPath id="plot-area"><rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot-area)">`);
  for (const s of prepared) {
    const name = escapeXml(s.name);
    if (s.points) {
      out.push(`<g fill="${s.color}" data-series="${name}">`);
      for (const [x, y] of s.pts) if (finite(x) && finite(y)) out.push(`<circle cx="${coord(px(x))}" cy="${coord(py(y))}" r="4"/>`);
      out.push(`</g>`);
      continue;
    }
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    out.push(`<path data-series="${name}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${dash} d="${pathData(s.pts.map(([x, y]) => [px(x), py(y)]))}"/>`);
  }
  out.push(`</g>`);

  // legend inside the plot, in the corner that hides the fewest data points
  const rowH = 20;
  const legendW = 44 + 7.5 * Math.max(...prepared.map((s) => s.name.length));
  const legendH = prepared.length * rowH + 8;
  const corners: [number, number][] = [
    [margin.left + plotW - legendW - 10, margin.top + 10],
    [margin.left + 10, margin.top + 10],
    [margin.left + plotW - legendW - 10, margin.top + plotH - legendH - 10],
    [margin.left + 10, margin.top + plotH - legendH - 10],
  ];
  const hidden = corners.map(([cx, cy]) => {
    let n = 0;
    for (const s of prepared) {
      for (const [x, y] of s.pts) {
        const X = px(x);
        const Y = py(y);
        if (X >= cx - 4 && X <= cx + legendW + 4 && Y >= cy - 4 && Y <= cy + legendH + 4) n++;
      }
    }
    return n;
  });
  const [lx, ly] = corners[hidden.indexOf(Math.min(...hidden))];
  out.push(`<g font-size="13" fill="#222222">`);
  out.push(`<rect x="${coord(lx)}" y="${ly}" width="${coord(legendW)}" height="${legendH}" fill="#ffffff" fill-opacity="0.9" stroke="#bbbbbb"/>`);
  prepared.forEach((s, k) => {
    const cy = ly + 14 + k * rowH;
    if (s.points) out.push(`<circle cx="${coord(lx + 20)}" cy="${cy}" r="4" fill="${s.color}"/>`);
    else out.push(`<line x1="${coord(lx + 8)}" y1="${cy}" x2="${coord(lx + 32)}" y2="${cy}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="7 5"' : ''}/>`);
    out.push(`<text x="${coord(lx + 40)}" y="${cy + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}

/** A pixel coordinate with two decimals: finer than any screen, and the file stays small. */
function coord(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** SVG path commands through pixel points; a non-finite point lifts the pen. */
function pathData(pixels: readonly [number, number][]): string {
  const parts: string[] = [];
  let pen = false;
  for (const [x, y] of pixels) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${coord(x)} ${coord(y)}`);
    pen = true;
  }
  return parts.join(' ');
}

/** The extent of the values; a single value or none still gives a non-empty range. */
function range(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

/** Round tick positions (1, 2 or 5 × 10^k apart) covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  // k·step rounded to 12 digits, so 3 × 0.2 is labelled 0.6 and not 0.6000000000000001
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Integer decades (log10 values) covering [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let t = Math.floor(lo); t <= Math.ceil(hi); t++) ticks.push(t);
  return ticks.length >= 2 ? ticks : [ticks[0], ticks[0] + 1];
}

/** A tick label with just the digits its step needs (1e-4, 0.25, 1500, 2e+6). */
function tickLabel(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) {
    const digits = Math.floor(Math.log10(a) + 1e-9) - Math.floor(Math.log10(Math.abs(step)) + 1e-9);
    return v.toExponential(Math.max(0, Math.min(3, digits))).replace('e+', 'e');
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(Math.abs(step)) + 1e-9));
  return v.toFixed(Math.min(decimals, 6));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
