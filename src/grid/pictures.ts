import { encodeGrayPng, imageGrid, upscale } from '../io/png';

/**
 * Grayscale heatmaps of grid maps, each `rows`×`cols` (neuron i down, column j across),
 * mid-gray at 0, white at +scale, black at −scale with one scale for all tiles (the largest
 * |value|), so tiles compare directly. Tiles are laid out `columns` per row and enlarged
 * `factor` times. Returns the PNG and the scale.
 */
export function heatmapPng(tiles: readonly ArrayLike<number>[], rows: number, cols: number, columns: number, factor: number): { png: Buffer; scale: number } {
  let scale = 0;
  for (const t of tiles) for (let k = 0; k < t.length; k++) scale = Math.max(scale, Math.abs(t[k]));
  const unit = scale > 0 ? scale : 1;
  // a grid map is stored column by column (column j holds its `rows` neurons); an image row is one neuron
  const images = tiles.map((t) => {
    const img = new Float64Array(rows * cols);
    for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) img[i * cols + j] = 0.5 + t[j * rows + i] / (2 * unit);
    return img;
  });
  const grid = imageGrid(images, { tileWidth: cols, tileHeight: rows, columns, gap: 2 });
  return { png: encodeGrayPng(upscale(grid, factor)), scale };
}
