// A graph's own buffers start on 64-byte boundaries (src/backend/auto.ts, graphStorage), found with
// the addon's alignmentOffset; without the addon's help they are plain typed arrays.
import { Graph, inner, loadNative, Matrix, mse, Rng, sigmoid } from '../src';
import { graphStorage } from '../src/backend/auto';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon;

(addon ? describe : describe.skip)('64-byte aligned graph buffers', () => {
  // called lazily: this body also runs (to collect the skipped tests) when there is no addon
  const offsetOf = (buffer: ArrayBuffer): number => addon!.alignmentOffset!(buffer);
  // where `data` starts relative to a 64-byte boundary: 0 when aligned
  const misalignment = (data: FloatArray): number => (((data.byteOffset - offsetOf(data.buffer as ArrayBuffer)) % 64) + 64) % 64;

  it('alignmentOffset finds the boundary: an aligned view there, and every other 16-byte step off it', () => {
    for (let i = 0; i < 20; i++) {
      const buffer = new ArrayBuffer(64 * (i + 1) + 64);
      const at = offsetOf(buffer);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(64);
      expect(misalignment(new Float64Array(buffer, at, 8))).toBe(0);
      expect(misalignment(new Float64Array(buffer, (at + 16) % 64, 4))).toBe(16);
    }
  });

  it('alignmentOffset takes exactly one ArrayBuffer and names what it got', () => {
    const call = (...args: unknown[]) => (addon!.alignmentOffset as (...a: unknown[]) => number)(...args);
    for (const [args, text] of [
      [[new Float64Array(4)], 'alignmentOffset: buffer must be an ArrayBuffer, got Float64Array'],
      [[3], 'alignmentOffset: buffer must be an ArrayBuffer, got number'],
      [[], 'alignmentOffset: expected 1 argument (buffer), got 0'],
    ] as const) {
      let caught: unknown;
      try {
        call(...args);
      } catch (e) {
        caught = e;
      }
      // the addon's TypeError comes from Node's realm, not jest's: compared by name
      expect((caught as Error).name).toBe('TypeError');
      expect((caught as { code?: string }).code).toBe('E_NATIVE_ARG');
      expect((caught as Error).message).toBe(text);
    }
  });

  it.each(['float64', 'float32'] as const)('%s: values, gradients and slot buffers are aligned, zeroed and of the right length', (dtype) => {
    for (const length of [1, 3, 8, 1000]) {
      const data = graphStorage(dtype, length);
      expect(data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      expect(data.length).toBe(length);
      expect(misalignment(data)).toBe(0);
      expect(Array.from(data).every((v) => v === 0)).toBe(true);
    }
    const rng = new Rng(3);
    const g = new Graph({ dtype });
    const x = g.input('x', 10, 24).feed(new Matrix(10, 24, dtype).fill(0.5));
    const w = g.param('W', new Matrix(24, 16, dtype).fill(0.1));
    const y = g.input('y', 10, 16).feed(new Matrix(10, 16, dtype).fill(rng.uniform(0, 1)));
    const h = sigmoid(inner(x, w));
    const loss = mse(h, y);
    g.backward(loss);
    for (const n of g.nodes) expect(misalignment(n.value.data)).toBe(0);
    for (const n of [w, h, loss]) expect(misalignment((n.grad as Matrix).data)).toBe(0);
  });

  it('WIREGRAD_BACKEND=ts: plain typed arrays, the addon is not asked', () => {
    const saved = process.env.WIREGRAD_BACKEND;
    process.env.WIREGRAD_BACKEND = 'ts';
    try {
      const data = graphStorage('float64', 5);
      expect(data.byteOffset).toBe(0);
      expect(data.buffer.byteLength).toBe(40);
    } finally {
      if (saved === undefined) delete process.env.WIREGRAD_BACKEND;
      else process.env.WIREGRAD_BACKEND = saved;
    }
  });

  it('a checkpoint-style byte view of an aligned buffer sees only its own values', () => {
    const data = graphStorage('float64', 3);
    data.set([1, 2, 3]);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    expect(Array.from(new Float64Array(bytes.slice().buffer))).toEqual([1, 2, 3]);
  });
});

if (!addon) process.stderr.write(`native addon not loaded, alignment tests skipped; tried:\n${addonTried(load)}\n`);
