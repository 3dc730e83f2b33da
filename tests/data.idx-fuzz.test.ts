import * as zlib from 'zlib';
import { encodeIdx, IdxError, parseIdx, Rng } from '../src';
import { fuzzReader } from './helpers';

describe('IDX reader fuzz', () => {
  it('5,000 mutated files each parse or give an IdxError, never another exception', () => {
    const images = encodeIdx({ type: 'uint8', dims: [3, 4, 4], data: Uint8Array.from({ length: 48 }, (_, i) => i * 5) });
    const labels = encodeIdx({ type: 'uint8', dims: [3], data: Uint8Array.from([1, 7, 9]) });
    const doubles = encodeIdx({ type: 'float64', dims: [2, 2], data: Float64Array.from([0.5, -1, 1e300, 3]) });
    const shorts = encodeIdx({ type: 'int16', dims: [5], data: Int16Array.from([-3, 2, 1, 0, 300]) });
    const seeds = [images, labels, doubles, shorts, zlib.gzipSync(images), zlib.gzipSync(labels)];
    const rng = new Rng(20261127);
    const { unexpected, ...outcomes } = fuzzReader({
      seeds,
      rng,
      cases: 5000,
      // a quarter of the cases hide the damage inside a valid gzip stream
      disguise: (bytes) => (rng.int(4) === 0 ? zlib.gzipSync(bytes) : bytes),
      read: (bytes, file) => {
        const t = parseIdx(bytes, file, { maxBytes: 1 << 16 });
        return t.data.length === t.dims.reduce((a, b) => a * b, 1) ? [] : [`dims ${t.dims} but ${t.data.length} values`];
      },
      refusal: [IdxError, 'E_IDX'],
    });
    expect(unexpected).toEqual([]);
    // both paths are exercised: some mutations leave a valid file, most do not
    expect(outcomes.parsed).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(2500);
  });
});
