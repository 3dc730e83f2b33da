import { gridPicturePng } from '../src/grid/pictures';

describe('grid pictures', () => {
  it('draw labelled panels as a PNG on one scale, the largest |value| of any panel', () => {
    const panels = [
      { title: 'a & b', values: [0.5, -2, 1, 0, 0.25, 1.5] },
      { title: 'c', values: [0, 0, 0, 0, 0, 0] },
    ];
    const { png, scale } = gridPicturePng(panels, { rows: 3, cols: 2, perRow: 2, cell: 4, caption: 'two <panels>' });
    expect(scale).toBe(2);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    // IHDR: at least as wide as the 420 px minimum
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(420);
  });

  it('an all-zero picture has scale 0 and is still drawn (no division by zero)', () => {
    const { png, scale } = gridPicturePng([{ title: 'zero', values: new Float64Array(8) }], { rows: 4, cols: 2, perRow: 1, cell: 1, caption: 'zeros' });
    expect(scale).toBe(0);
    expect(png.length).toBeGreaterThan(100);
  });
});
