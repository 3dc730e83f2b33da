import { deflateSync } from 'node:zlib';
import { ShapeError, UsageError } from '../errors';

/** An 8-bit grayscale image, row-major, 0 black … 255 white. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of PNG chunks (ISO 3309), over the chunk type and data. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes an 8-bit grayscale PNG: signature, IHDR, one IDAT (zlib), IEND. */
export function encodeGrayPng(image: GrayImage): Buffer {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ShapeError(`encodeGrayPng: width and height must be positive integers, got ${width}×${height}`);
  }
  if (pixels.length !== width * height) {
    throw new ShapeError(`encodeGrayPng: a ${width}×${height} image needs ${width * height} pixels, got ${pixels.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: grayscale
  // bytes 10–12: compression 0 (deflate), filter method 0, no interlace
  // Every scanline starts with its filter byte; 0 (none) compresses well enough for small grids.
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

export interface GridOptions {
  /** Pixels of one tile. */
  tileWidth: number;
  tileHeight: number;
  /** Tiles per row (default: a near-square grid). */
  columns?: number;
  /** Gap between tiles and around the grid, in pixels (default 2). */
  gap?: number;
  /** Pixel value of the gaps (default 255: white). */
  background?: number;
}

/**
 * Lays tiles out in a grid. Each tile is tileWidth·tileHeight values in [0, 1] (row-major,
 * 0 black); values outside are clipped, NaN draws black.
 */
export function imageGrid(tiles: readonly ArrayLike<number>[], options: GridOptions): GrayImage {
  const { tileWidth: tw, tileHeight: th } = options;
  const gap = options.gap ?? 2;
  const n = tiles.length;
  if (n === 0) throw new UsageError('imageGrid: no tiles');
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  if (!Number.isInteger(columns) || columns < 1) throw new UsageError(`imageGrid: columns must be a positive integer, got ${columns}`);
  const rows = Math.ceil(n / columns);
  const width = columns * (tw + gap) + gap;
  const height = rows * (th + gap) + gap;
  const pixels = new Uint8Array(width * height).fill(options.background ?? 255);
  tiles.forEach((tile, k) => {
    if (tile.length !== tw * th) throw new ShapeError(`imageGrid: tile ${k} has ${tile.length} values, a ${tw}×${th} tile needs ${tw * th}`);
    const x0 = gap + (k % columns) * (tw + gap);
    const y0 = gap + Math.floor(k / columns) * (th + gap);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const v = tile[y * tw + x];
        pixels[(y0 + y) * width + x0 + x] = v > 0 ? Math.round(Math.min(v, 1) * 255) : 0;
      }
    }
  });
  return { width, height, pixels };
}

/** Scales an image by an integer factor (nearest neighbour), so small tiles stay crisp when viewed. */
export function upscale(image: GrayImage, factor: number): GrayImage {
  if (!Number.isInteger(factor) || factor < 1) throw new UsageError(`upscale: factor must be a positive integer, got ${factor}`);
  const width = image.width * factor;
  const height = image.height * factor;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const src = Math.floor(y / factor) * image.width;
    for (let x = 0; x < width; x++) pixels[y * width + x] = image.pixels[src + Math.floor(x / factor)];
  }
  return { width, height, pixels };
}
