import { concat, Graph, loadNative, Matrix, Rng, slice } from '../src';
import { ElementwiseKernels } from '../src/backend/native';
import { copyBlockTs } from '../src/ops/columns';
import { FloatArray } from '../src/tensor/matrix';
import { addonTried, expectNativeArgError } from './helpers';

// Slice and Concat move their blocks with the addon's copyRows from NATIVE_COPY_FROM values on
// (when the addon is there) and element by element below; the op table samples only small
// matrices, so these cases cross that size both ways.

const load = loadNative();
const addon = load.addon as unknown as (Partial<ElementwiseKernels> & Record<string, unknown>) | null;
const native = typeof addon?.copyRows === 'function' ? (addon as ElementwiseKernels) : null;
if (!native) console.warn(`the native copyRows is not in the addon, its tests skipped; addon load:\n${addonTried(load)}`);

/** A matrix whose every element tells where it came from: 1000·tag + index. */
function tagged(rows: number, cols: number, tag: number, dtype: 'float32' | 'float64'): Matrix {
  const m = new Matrix(rows, cols, dtype);
  m.data.forEach((_, i) => (m.data[i] = 1000 * tag + i));
  return m;
}

describe.each(['float32', 'float64'] as const)('Slice and Concat on wide and narrow rows (%s)', (dtype) => {
  it.each([
    [3, 5, 2], // both narrow
    [4, 90, 7], // a wide input next to a narrow one, cut inside the wide one
    [2, 70, 300], // both wide
  ])('%i rows, inputs of %i and %i columns: values and gradients land in their own columns', (rows, wa, wb) => {
    const g = new Graph({ dtype });
    const a = g.param('a', tagged(rows, wa, 1, dtype));
    const b = g.param('b', tagged(rows, wb, 2, dtype));
    const width = wa + wb;
    const cut = Math.floor(width / 3);
    const ab = concat([a, b], 'ab');
    // swapping the two parts makes every column move; ab has two consumers, whose gradients the engine sums
    const swapped = concat([slice(ab, cut, width, 'right'), slice(ab, 0, cut, 'left')], 'swapped');
    const at = (r: number, c: number): number => (c < wa ? 1000 + r * wa + c : 2000 + r * wb + c - wa);
    const y = g.forward(swapped);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) expect(y.get(r, c)).toBe(at(r, (c + cut) % width));
    }
    const seed = tagged(rows, width, 3, dtype);
    g.backward(swapped, seed);
    // the gradient of ab's column c is the seed's column that c moved to
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        const expected = seed.get(r, (c - cut + width) % width);
        expect(c < wa ? a.grad?.get(r, c) : b.grad?.get(r, c - wa)).toBe(expected);
      }
    }
  });
});

type DType = 'float32' | 'float64';
const alloc = (n: number, dtype: DType): FloatArray => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
const bits = (x: FloatArray): bigint[] => Array.from(new BigInt64Array(Float64Array.from(x).buffer));

/** n values of every sign and magnitude, with −0, NaN and ±Infinity among them: a copy must keep their bits. */
function filled(rng: Rng, n: number, dtype: DType): FloatArray {
  const x = alloc(n, dtype);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-3, 3) * 10 ** rng.int(30);
  const special = [-0, NaN, Infinity, -Infinity];
  for (let i = 0; i < Math.min(n, special.length); i++) x[(i * 7) % n] = special[i];
  return x;
}

(native ? describe : describe.skip)('native copyRows', () => {
  const kernels = native as ElementwiseKernels;

  it('copies the bits its twin copies, both dtypes, with offsets and strides, and writes nothing else', () => {
    // [rows, cols, srcOffset, srcStride, dstOffset, dstStride]
    const cases = [[1, 1, 0, 1, 0, 1], [3, 5, 2, 9, 1, 5], [64, 32, 7, 288, 0, 32], [64, 256, 32, 288, 3, 260], [5, 0, 4, 3, 2, 1], [0, 7, 0, 7, 0, 7]];
    for (const [rows, cols, so, ss, dof, ds] of cases) {
      for (const dtype of ['float32', 'float64'] as const) {
        const rng = new Rng(rows * 1000 + cols);
        const src = filled(rng, so + Math.max(rows - 1, 0) * ss + cols + 4, dtype);
        const before = filled(rng, dof + Math.max(rows - 1, 0) * ds + cols + 4, dtype);
        const [dNative, dTs] = [before.slice(), before.slice()];
        kernels.copyRows(src, so, ss, dNative, dof, ds, rows, cols);
        copyBlockTs(src, so, ss, dTs, dof, ds, rows, cols);
        expect(bits(dNative)).toEqual(bits(dTs));
        // the twin itself: the block is src's, every other value is what dst held
        const wrong: number[] = [];
        for (let k = 0; k < dTs.length; k++) {
          const i = Math.floor((k - dof) / ds);
          const j = k - dof - i * ds;
          const inBlock = k >= dof && i < rows && j < cols;
          if (!Object.is(dTs[k], inBlock ? src[so + i * ss + j] : before[k])) wrong.push(k);
        }
        expect(wrong).toEqual([]);
      }
    }
  });

  it('Slice and Concat call it from the threshold up and not below', () => {
    const calls = (rows: number, cols: number): number => {
      const original = addon!.copyRows as (...a: unknown[]) => void;
      let n = 0;
      addon!.copyRows = (...a: unknown[]) => (n++, original(...a));
      try {
        const g = new Graph({ dtype: 'float32' });
        const x = g.param('x', tagged(rows, cols, 1, 'float32'));
        const y = concat([slice(x, 1, cols, 'right'), slice(x, 0, 1, 'left')], 'y');
        g.forward(y);
        expect(y.value.get(rows - 1, 0)).toBe(1000 + (rows - 1) * cols + 1);
        return n;
      } finally {
        addon!.copyRows = original;
      }
    };
    // the two wide blocks (slice and concat of the right part) go native, the one-column ones never
    expect(calls(64, 32)).toBe(2);
    expect(calls(2, 8)).toBe(0);
  });

  describe('argument checks (E_NATIVE_ARG, nothing written)', () => {
    const call = (...args: unknown[]) => (kernels.copyRows as unknown as (...a: unknown[]) => void)(...args);
    const f64 = (n: number) => new Float64Array(n).fill(1);

    it.each([
      ['too few arguments', () => call(f64(4), 0, 2, f64(4), 0, 2, 2), /copyRows: expected 8 arguments \(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols\), got 7/],
      ['src not a float array', () => call([1, 2], 0, 1, f64(2), 0, 1, 1, 2), /copyRows: src must be a Float32Array or Float64Array/],
      ['mixed element types', () => call(f64(4), 0, 2, new Float32Array(4), 0, 2, 2, 2), /copyRows: dst must have the element type of src/],
      ['negative offset', () => call(f64(4), -1, 2, f64(4), 0, 2, 2, 2), /copyRows: srcOffset must be an integer in \[0, 2147483647\], got -1/],
      ['fractional stride', () => call(f64(4), 0, 2, f64(4), 0, 1.5, 2, 2), /copyRows: dstStride must be an integer/],
      ['rows not a number', () => call(f64(4), 0, 2, f64(4), 0, 2, '2', 2), /copyRows: rows must be a number/],
      ['block past the end of src', () => call(f64(5), 0, 3, f64(8), 0, 4, 2, 3), /copyRows: src \(5 values\) cannot hold 2 rows of 3 values from offset 0 with stride 3/],
      ['offset past the end of dst', () => call(f64(4), 0, 2, f64(4), 3, 2, 1, 2), /copyRows: dst \(4 values\) cannot hold 1 rows of 2 values from offset 3/],
      ['rows overlapping in dst', () => call(f64(8), 0, 4, f64(8), 0, 1, 2, 2), /copyRows: dst \(8 values\) cannot hold 2 rows of 2 values from offset 0 with stride 1/],
      ['huge rows', () => call(f64(8), 0, 2147483647, f64(8), 0, 2, 2147483647, 2), /copyRows: src \(8 values\) cannot hold 2147483647 rows/],
    ])('%s', (_, f, message) => expectNativeArgError(f, message));

    it('a dst that shares bytes with src is refused before anything is written', () => {
      const buf = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(() => call(buf.subarray(0, 4), 0, 2, buf.subarray(3, 7), 0, 2, 2, 2)).toThrow(/copyRows: dst overlaps src/);
      expect(Array.from(buf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });
});

it.each([8, 64, 200])('the TypeScript twin copies a %i-wide block inside strided rows and nothing else', (width) => {
  const src = Float64Array.from({ length: 3 * 300 + 5 }, (_, i) => i + 0.5);
  const dst = new Float64Array(3 * 310 + 9).fill(-1);
  copyBlockTs(src, 5, 300, dst, 9, 310, 3, width);
  for (let k = 0; k < dst.length; k++) {
    const i = Math.floor((k - 9) / 310), j = (k - 9) % 310;
    const inside = k >= 9 && i < 3 && j < width;
    expect(dst[k]).toBe(inside ? src[5 + i * 300 + j] : -1);
  }
});
