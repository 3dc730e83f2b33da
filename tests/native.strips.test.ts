// The addon splits some A·Bᵀ products into column strips (native/gemm.cc, stripColumns): shapes
// on both sides of every bound of that rule, against the TS reference, with leading dimensions,
// offsets, alpha and beta, so that each strip reads its own rows of B and writes only its own
// columns of C.
import { FloatArray, loadNative, Rng, tsBackend } from '../src';
import { gemmErrorRatio } from '../src/backend/doctor';
import { nativeBackendOf } from '../src/backend/native';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon;

// [m, n, k]: inside the rule (two strips, uneven strips, many strips), then just outside each
// bound: m·n ≤ 1024, k = 31, m = 9, m = 17, m·n·k > 2^20
const SHAPES: [number, number, number][] = [
  [10, 128, 64], [10, 129, 32], [16, 257, 33], [12, 700, 64],
  [12, 85, 64], [10, 128, 31], [9, 256, 64], [17, 128, 64], [16, 1000, 66],
];
const CASES = (['float64', 'float32'] as const).flatMap((dtype) => SHAPES.map(([m, n, k]) => [dtype, m, n, k] as const));

function filled(dtype: 'float32' | 'float64', n: number, value: () => number): FloatArray {
  const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = value();
  return x;
}

(addon ? describe : describe.skip)('A·Bᵀ in column strips', () => {
  // made lazily: this body also runs (to collect the skipped tests) when there is no addon
  const native = () => nativeBackendOf(addon!);

  it.each(CASES)('%s %i×%i×%i within 2·k·u·|A||B| of the reference, with every transpose pair', (dtype, m, n, k) => {
    const rng = new Rng(m * 7919 + n * 31 + k);
    for (const [transA, transB] of [[false, true], [false, false], [true, false], [true, true]] as const) {
      const a = filled(dtype, m * k, () => rng.uniform(-1, 1)), b = filled(dtype, k * n, () => rng.uniform(-1, 1));
      const c = filled(dtype, m * n, () => NaN);
      native().gemm(transA, transB, m, n, k, 1, a, 0, transA ? m : k, b, 0, transB ? k : n, 0, c, 0, n);
      expect(gemmErrorRatio(transA, transB, m, n, k, a, b, c)).toBeLessThanOrEqual(1);
    }
  });

  it.each(CASES)('%s %i×%i×%i with lda, ldb, ldc, offsets, alpha and beta matches TS exactly on small integers', (dtype, m, n, k) => {
    const rng = new Rng(m + n + k);
    const lda = k + 3, ldb = k + 5, ldc = n + 2;
    const ints = (len: number) => filled(dtype, len, () => rng.int(5) - 2);
    // C sits inside a larger array: a strip that strayed past its columns or rows would change the rest
    const a = ints(m * lda + 7), b = ints(n * ldb + 9), c0 = ints(m * ldc + 20);
    const cNative = c0.slice(), cTs = c0.slice();
    native().gemm(false, true, m, n, k, -2, a, 7, lda, b, 9, ldb, 3, cNative, 11, ldc);
    tsBackend.gemm(false, true, m, n, k, -2, a, 7, lda, b, 9, ldb, 3, cTs, 11, ldc);
    expect(Array.from(cNative)).toEqual(Array.from(cTs));
  });
});

if (!addon) process.stderr.write(`native addon not loaded, strip tests skipped; tried:\n${addonTried(load)}\n`);
