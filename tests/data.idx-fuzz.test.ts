import * as zlib from 'zlib';
import { encodeIdx, IdxError, parseIdx, Rng } from '../src';
import { mutate } from './fixtures/mutate';

describe('IDX reader fuzz', () => {
  it('5,000 mutated files each parse or give an IdxError, never another exception', () => {
    const images = encodeIdx({ type: 'uint8', dims: [3, 4, 4], data: Uint8Array.from({ length: 48 }, (_, i) => i * 5) });
    const labels = encodeIdx({ type: 'uint8', dims: [3], data: Uint8Array.from([1, 7, 9]) });
    const doubles = encodeIdx({ type: 'float64', dims: [2, 2], data: Float64Array.from([0.5, -1, 1e300, 3]) });
    const shorts = encodeIdx({ type: 'int16', dims: [5], data: Int16Array.from([-3, 2, 1, 0, 300]) });
    const seeds = [images, labels, doubles, shorts, zlib.gzipSync(images), zlib.gzipSync(labels)];
    const rng = new Rng(20261127);
    const outcomes = { parsed: 0, refused: 0 };
    const unexpected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      let bytes = mutate(rng, seeds);
      // a quarter of the cases hide the damage inside a valid gzip stream
      if (rng.int(4) === 0) bytes = zlib.gzipSync(bytes);
      try {
        const t = parseIdx(bytes, `fuzz#${i}`, { maxBytes: 1 << 16 });
        if (t.data.length !== t.dims.reduce((a, b) => a * b, 1)) unexpected.push(`case ${i}: dims ${t.dims} but ${t.data.length} values`);
        outcomes.parsed++;
      } catch (e) {
        if (e instanceof IdxError && e.code === 'E_IDX' && e.message.startsWith(`fuzz#${i}: `)) outcomes.refused++;
        else unexpected.push(`case ${i}: ${String(e)}`);
      }
    }
    expect(unexpected).toEqual([]);
    // both paths are exercised: some mutations leave a valid file, most do not
    expect(outcomes.parsed).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(2500);
  });
});
