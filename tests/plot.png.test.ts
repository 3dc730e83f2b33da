import { inflateSync } from 'node:zlib';
import { crc32, encodeGrayPng, imageGrid, upscale } from '../src/io/png';

/** Splits a PNG into its chunks, checking every CRC on the way. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data });
    at += 12 + length;
  }
  expect(at).toBe(png.length);
  return out;
}

describe('grayscale PNG encoder', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
  });

  it('writes signature, IHDR, IDAT that inflates to the scanlines, IEND', () => {
    const width = 5;
    const height = 3;
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => i * 17);
    const png = encodeGrayPng({ width, height, pixels });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = list[0].data;
    expect(ihdr.length).toBe(13);
    expect(ihdr.readUInt32BE(0)).toBe(width);
    expect(ihdr.readUInt32BE(4)).toBe(height);
    expect([...ihdr.subarray(8)]).toEqual([8, 0, 0, 0, 0]);
    const raw = inflateSync(list[1].data);
    expect(raw.length).toBe((width + 1) * height);
    for (let y = 0; y < height; y++) {
      expect(raw[y * (width + 1)]).toBe(0);
      expect([...raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1))]).toEqual([...pixels.subarray(y * width, (y + 1) * width)]);
    }
  });

  it('refuses a pixel count that does not fit the size', () => {
    expect(() => encodeGrayPng({ width: 2, height: 2, pixels: new Uint8Array(3) })).toThrow(/needs 4 pixels, got 3/);
  });

  it('lays tiles out in a grid with gaps, clipping values to [0, 1]', () => {
    const tiles = [[0, 1, 0.5, 2], [-1, 0.2, 1, 1], [1, 1, 1, 1]];
    const grid = imageGrid(tiles, { tileWidth: 2, tileHeight: 2, columns: 2, gap: 1, background: 9 });
    expect([grid.width, grid.height]).toEqual([7, 7]);
    const at = (x: number, y: number): number => grid.pixels[y * grid.width + x];
    expect([at(1, 1), at(2, 1), at(1, 2), at(2, 2)]).toEqual([0, 255, 128, 255]);
    expect([at(4, 1), at(5, 1), at(4, 2)]).toEqual([0, 51, 255]);
    expect(at(1, 4)).toBe(255);
    expect(at(4, 4)).toBe(9); // the empty fourth cell
    expect(at(0, 0)).toBe(9);
    expect(() => imageGrid([[1, 2, 3]], { tileWidth: 2, tileHeight: 2 })).toThrow(/tile 0 has 3 values/);
  });

  it('upscales by an integer factor', () => {
    const big = upscale({ width: 2, height: 1, pixels: Uint8Array.from([10, 20]) }, 2);
    expect([big.width, big.height, ...big.pixels]).toEqual([4, 2, 10, 10, 20, 20, 10, 10, 20, 20]);
  });
});
