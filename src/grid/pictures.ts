import { encodeGrayPng, upscale } from '../io/png';
import { svgToPng } from '../io/render';

/** One map of the grid: `rows` neurons down, `cols` grid columns across, stored column by column. */
export interface GridPanel {
  title: string;
  values: ArrayLike<number>;
}

export interface GridPicture {
  /** One line above the panels. */
  caption: string;
  rows: number;
  cols: number;
  /** Panels per row of the picture. */
  perRow: number;
  /** Pixels per grid cell. */
  cell: number;
}

/**
 * A PNG of labelled grayscale heatmaps: mid-gray at 0, white at +s, black at −s, with one s for
 * every panel (the largest |value|) so that panels compare directly; s is written under the
 * caption. Each panel is an embedded grayscale PNG, so a 512×129 map costs one image, not 66 000
 * SVG rectangles.
 */
export function gridPicturePng(panels: readonly GridPanel[], p: GridPicture): { png: Buffer; scale: number } {
  let scale = 0;
  for (const panel of panels) for (let k = 0; k < panel.values.length; k++) scale = Math.max(scale, Math.abs(panel.values[k]));
  const unit = scale > 0 ? scale : 1;
  const [w, h] = [p.cols * p.cell, p.rows * p.cell];
  const [padX, titleH, gap, top] = [12, 16, 14, 46];
  // a slot is at least as wide as a class name at 11 px
  const slot = Math.max(w, 80);
  const images = panels.map((panel, k) => {
    const pixels = new Uint8Array(p.rows * p.cols);
    // stored column by column (column j holds its `rows` neurons); an image row is one neuron
    for (let j = 0; j < p.cols; j++) {
      for (let i = 0; i < p.rows; i++) pixels[i * p.cols + j] = Math.round(255 * Math.min(1, Math.max(0, 0.5 + panel.values[j * p.rows + i] / (2 * unit))));
    }
    const png = encodeGrayPng(upscale({ width: p.cols, height: p.rows, pixels }, p.cell)).toString('base64');
    const x = padX + (k % p.perRow) * (slot + gap);
    const y = top + Math.floor(k / p.perRow) * (h + titleH + gap);
    return (
      `<text x="${x}" y="${y + 11}" font-size="11">${escape(panel.title)}</text>` +
      `<image x="${x}" y="${y + titleH}" width="${w}" height="${h}" href="data:image/png;base64,${png}"/>`
    );
  });
  const columns = Math.min(p.perRow, panels.length);
  // about 7.5 px per character of the 13 px caption
  const width = Math.max(2 * padX + columns * slot + (columns - 1) * gap, 2 * padX + Math.ceil(7.5 * p.caption.length), 420);
  const height = top + Math.ceil(panels.length / p.perRow) * (h + titleH + gap);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="${padX}" y="16" font-size="13" font-weight="bold">${escape(p.caption)}</text>` +
    `<text x="${padX}" y="34" font-size="11">black −${scale.toPrecision(3)}, mid-gray 0, white +${scale.toPrecision(3)}; rows: neurons, columns: grid columns</text>` +
    images.join('') +
    '</svg>';
  return { png: svgToPng(svg, { scale: 1 }), scale };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
